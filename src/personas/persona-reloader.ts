/**
 * Applies file changes in PERSONAS_DIR to the running catalog: added, changed and removed files
 * take effect; a broken file or one claiming a taken name is refused with a warning and keeps its
 * last good version, and so does a name that stops being a regular file inside the folder (a link
 * out of it, a FIFO): it is never opened.
 */
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { Persona } from "../core/persona.js";
import type { Logger } from "../lib/logger.js";
import type { ChangedFiles } from "./debounced-directory-watch.js";
import { listPersonaFileNames, type PersonaFileRead, readPersonaFile } from "./persona-files.js";
import type { PersonaFileLimits } from "./persona-limits.js";

/** What one reload did to one file. `rejected`: the file is broken or claims a taken name. */
export interface PersonaChange {
  kind: "added" | "updated" | "removed" | "rejected";
  fileName: string;
  /** The persona concerned: the new one, the removed one, or the one kept for a rejected file. */
  name?: string;
  /** For an update that renamed the persona: the name it had. */
  previousName?: string;
  /** For a rejected file: what is wrong with it and how to fix it, so the terminal can say so itself. */
  problem?: string;
}

/** Personas by name, rebuilt after each reload; list() sorted by name. */
export class PersonaIndex {
  private sorted: Persona[] = [];
  private byName = new Map<string, Persona>();
  constructor(byFile: ReadonlyMap<string, Persona>) {
    this.rebuild(byFile);
  }
  rebuild(byFile: ReadonlyMap<string, Persona>): void {
    this.sorted = [...byFile.values()].sort((left, right) => left.name.localeCompare(right.name));
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
  private readonly refusedForName = new Set<string>();
  private stopped = false;

  constructor(
    private readonly dir: string,
    private readonly byFile: Map<string, Persona>,
    private readonly catalog: PersonaIndex,
    private readonly logger: Logger,
    private readonly limits: PersonaFileLimits,
  ) {}

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
      (change) => change.kind === "removed" || change.previousName !== undefined,
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
    const file = join(this.dir, fileName);
    const keeping = previous ? "keeping the last good version" : "not loaded";
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
      case "skipped":
        this.logger.warn(
          { file, reason: read.reason, persona: previous?.name, notice: true },
          `skipping ${file}: it ${read.reason}; ${keeping}`,
        );
        return [rejected(fileName, previous, `it ${read.reason}`)];
      case "unreadable":
        this.logger.warn(
          { err: read.error, file, persona: previous?.name, notice: true },
          `cannot read persona file; ${keeping}`,
        );
        return [rejected(fileName, previous, `cannot be read: ${read.error.message}`)];
      case "invalid": {
        const { line, field } = read.error;
        const reason = read.error.problems.map((problem) => problem.reason).join("; ");
        this.logger.warn(
          { file, line, field, reason, persona: previous?.name, notice: true },
          `invalid persona file, ${keeping}: ${read.error.message.replaceAll("\n", "; ")}`,
        );
        return [rejected(fileName, previous, read.error.message)];
      }
      case "parsed":
        return this.accept(fileName, read.parsed.persona, previous);
    }
  }

  private accept(fileName: string, persona: Persona, previous: Persona | undefined): PersonaChange[] {
    const owner = [...this.byFile].find(([other, kept]) => other !== fileName && kept.name === persona.name);
    if (owner) {
      this.refusedForName.add(fileName);
      this.logger.warn(
        { file: persona.source, field: "name", persona: persona.name, owner: owner[1].source, notice: true },
        `persona name "${persona.name}" in ${persona.source} is already used by ${owner[1].source}; ` +
          `refusing it (${previous ? "keeping the last good version" : "not loaded"}): rename one of them`,
      );
      const problem = `the persona name "${persona.name}" is already used by ${owner[1].source}: rename one of them`;
      return [rejected(fileName, previous, problem)];
    }
    this.refusedForName.delete(fileName);
    if (previous && isDeepStrictEqual(previous, persona)) return [];
    this.byFile.set(fileName, persona);
    if (!previous) {
      this.logger.info({ persona: persona.name, file: persona.source }, `persona "${persona.name}" added`);
      return [{ kind: "added", fileName, name: persona.name }];
    }
    if (previous.name === persona.name) {
      this.logger.info({ persona: persona.name, file: persona.source }, `persona "${persona.name}" updated`);
      return [{ kind: "updated", fileName, name: persona.name }];
    }
    this.logger.info(
      { persona: persona.name, file: persona.source, previousName: previous.name },
      `persona "${persona.name}" updated (renamed from "${previous.name}")`,
    );
    return [{ kind: "updated", fileName, name: persona.name, previousName: previous.name }];
  }
}

function rejected(fileName: string, kept: Persona | undefined, problem: string): PersonaChange {
  return kept
    ? { kind: "rejected", fileName, name: kept.name, problem }
    : { kind: "rejected", fileName, problem };
}
