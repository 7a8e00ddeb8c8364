/**
 * Applies file changes in PERSONAS_DIR to the running catalog: added, changed and removed files
 * take effect; a broken file or one claiming a taken name is refused with a warning and keeps its
 * last good version, and so does a name that stops being a regular file inside the folder (a link
 * out of it, a FIFO): it is never opened. A file skipped at start-up is no different from one
 * broken later: fixed, it loads on its next save.
 */
import { isDeepStrictEqual } from "node:util";
import type { Persona } from "../core/persona.js";
import { compareText } from "../lib/compare-text.js";
import type { Logger } from "../lib/logger.js";
import type { ChangedFiles } from "./debounced-directory-watch.js";
import {
  logRefusal,
  logRoomWarning,
  logStaleCompile,
  nameTakenRefusal,
  type PersonaRefusal,
  refusalOf,
  summarizeRefusal,
} from "./persona-file-report.js";
import { listPersonaFileNames, type PersonaFileRead, readPersonaFile } from "./persona-files.js";
import type { PersonaFileLimits } from "./persona-limits.js";

/** What one reload did to one file. */
export type PersonaChange =
  /** `warning`: loaded, but its prompt leaves the conversation little room (one line, with the fix). */
  | { kind: "added"; fileName: string; name: string; warning?: string }
  /** `previousName`: the name it had, when the update renamed the persona. */
  | { kind: "updated"; fileName: string; name: string; previousName?: string; warning?: string }
  | { kind: "removed"; fileName: string; name: string }
  /**
   * The file is broken, no regular file, or claims a taken name. `name`: the persona kept for it,
   * if any; `problem`: what is wrong, one line (`file:line: field "x": reason`).
   */
  | { kind: "rejected"; fileName: string; name?: string; problem: string };

/** Personas by name, rebuilt after each reload; list() sorted by name. */
export class PersonaIndex {
  private sorted: Persona[] = [];
  private byName = new Map<string, Persona>();
  constructor(byFile: ReadonlyMap<string, Persona>) {
    this.rebuild(byFile);
  }
  rebuild(byFile: ReadonlyMap<string, Persona>): void {
    this.sorted = [...byFile.values()].sort((left, right) => compareText(left.name, right.name));
    this.byName = new Map(this.sorted.map((persona) => [persona.name, persona]));
  }
  list(): Persona[] {
    return [...this.sorted];
  }
  get(name: string): Persona | undefined {
    return this.byName.get(name);
  }
}

export class PersonaReloader {
  private readonly listeners = new Set<(changes: readonly PersonaChange[]) => void>();
  /** Files refused because another file owns their name: retried when a name is freed. */
  private readonly refusedForName: Set<string>;
  private stopped = false;

  /** `skipped`: the files refused at start-up (those refused for their name are retried likewise). */
  constructor(
    private readonly dir: string,
    private readonly byFile: Map<string, Persona>,
    private readonly catalog: PersonaIndex,
    private readonly logger: Logger,
    private readonly limits: PersonaFileLimits,
    skipped: readonly PersonaRefusal[] = [],
  ) {
    this.refusedForName = new Set(
      skipped.filter((refusal) => refusal.kind === "name-taken").map((refusal) => refusal.fileName),
    );
  }

  subscribe(listener: (changes: readonly PersonaChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    this.listeners.clear();
  }

  async reload(changed: ChangedFiles): Promise<void> {
    const fileNames = changed === "all" ? await this.everyKnownFile() : [...changed];
    if (fileNames === undefined || this.stopped) return;
    const changes = await this.apply(fileNames);
    const freedName = changes.some(
      (change) =>
        change.kind === "removed" || (change.kind === "updated" && change.previousName !== undefined),
    );
    if (freedName) {
      // A freed name may let a refused file in now.
      const retry = [...this.refusedForName].filter((fileName) => !fileNames.includes(fileName));
      if (retry.length > 0) changes.push(...(await this.apply(retry)));
    }
    if (this.stopped || changes.length === 0) return;
    this.catalog.rebuild(this.byFile);
    for (const listener of this.listeners) {
      try {
        listener(changes);
      } catch (error) {
        // One broken listener must not stop the others or the watcher.
        this.logger.error({ err: error }, "persona change listener failed");
      }
    }
  }

  private async everyKnownFile(): Promise<string[] | undefined> {
    try {
      const onDisk = await listPersonaFileNames(this.dir);
      return [...new Set([...onDisk, ...this.byFile.keys(), ...this.refusedForName])];
    } catch (error) {
      this.logger.warn(
        { err: error, dir: this.dir },
        "cannot list the persona directory; keeping every persona",
      );
      return undefined;
    }
  }

  /** Reads the files, then applies removals before the rest so a name freed in a batch is free for it. */
  private async apply(fileNames: readonly string[]): Promise<PersonaChange[]> {
    const reads = await Promise.all(
      [...fileNames].sort().map((fileName) => readPersonaFile(this.dir, fileName, this.limits)),
    );
    if (this.stopped) return [];
    const ordered = [
      ...reads.filter((read) => read.kind === "missing"),
      ...reads.filter((read) => read.kind !== "missing"),
    ];
    return ordered.flatMap((read) => this.applyOne(read));
  }

  private applyOne(read: PersonaFileRead): PersonaChange[] {
    const { fileName } = read;
    const previous = this.byFile.get(fileName);
    switch (read.kind) {
      case "missing":
        this.refusedForName.delete(fileName);
        if (!previous) return [];
        this.byFile.delete(fileName);
        this.logger.info(
          { persona: previous.name, file: previous.source },
          `persona "${previous.name}" removed`,
        );
        return [{ kind: "removed", fileName, name: previous.name }];
      case "parsed":
        return this.accept(read, previous);
      default:
        return [this.refuse(refusalOf(this.dir, read), previous)];
    }
  }

  private refuse(refusal: PersonaRefusal, previous: Persona | undefined): PersonaChange {
    logRefusal(this.logger, refusal, previous ? "keeping the last good version" : "not loaded", previous);
    const problem = summarizeRefusal(refusal);
    const { fileName } = refusal;
    return previous
      ? { kind: "rejected", fileName, name: previous.name, problem }
      : { kind: "rejected", fileName, problem };
  }

  private accept(read: PersonaFileRead & { kind: "parsed" }, previous: Persona | undefined): PersonaChange[] {
    const { fileName, parsed, warning } = read;
    const { persona } = parsed;
    const owner = [...this.byFile].find(([other, kept]) => other !== fileName && kept.name === persona.name);
    if (owner) {
      this.refusedForName.add(fileName);
      return [this.refuse(nameTakenRefusal(this.dir, fileName, parsed, owner[1].source), previous)];
    }
    this.refusedForName.delete(fileName);
    if (previous && isDeepStrictEqual(previous, persona)) return [];
    this.byFile.set(fileName, persona);
    if (warning) logRoomWarning(this.logger, persona, warning);
    logStaleCompile(this.logger, persona);
    const warned = warning ? { warning: warning.message } : {};
    if (!previous) {
      this.logger.info({ persona: persona.name, file: persona.source }, `persona "${persona.name}" added`);
      return [{ kind: "added", fileName, name: persona.name, ...warned }];
    }
    if (previous.name === persona.name) {
      this.logger.info({ persona: persona.name, file: persona.source }, `persona "${persona.name}" updated`);
      return [{ kind: "updated", fileName, name: persona.name, ...warned }];
    }
    this.logger.info(
      { persona: persona.name, file: persona.source, previousName: previous.name },
      `persona "${persona.name}" updated (renamed from "${previous.name}")`,
    );
    return [{ kind: "updated", fileName, name: persona.name, previousName: previous.name, ...warned }];
  }
}
