/**
 * The start-up read of PERSONAS_DIR, forgiving like a reload: a file with a problem (a typo in its
 * front matter, too large, a prompt that cannot fit, a name another file has, an entry that is no
 * persona file at all) is skipped with one warning naming the file, the line and the reason, and
 * the others load. The skipped files are returned, so the app can stop when one of them is
 * DEFAULT_PERSONA and the terminal chat can say what is wrong without a log. Only a folder where no
 * persona is left stops start-up here, listing every problem in every file so an admin fixes them
 * all in one pass.
 */
import { join } from "node:path";
import type { Persona } from "../core/persona.js";
import { compareText } from "../lib/compare-text.js";
import type { Logger } from "../lib/logger.js";
import {
  logRefusal,
  logRoomWarning,
  logStaleCompile,
  nameTakenRefusal,
  type PersonaRefusal,
  type PersonaRoomNote,
  refusalLines,
  refusalOf,
} from "./persona-file-report.js";
import { listPersonaFileNames, type PersonaFileRead, readPersonaFile } from "./persona-files.js";
import type { PersonaFileLimits } from "./persona-limits.js";

export class PersonaDirectoryError extends Error {
  override readonly name = "PersonaDirectoryError";
  constructor(
    readonly dir: string,
    readonly problems: readonly string[],
  ) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`${count} in the persona directory "${dir}":\n${problems.map((line) => `  ${line}`).join("\n")}`);
  }
}

/** What start-up found: the personas by file name, the files skipped, and the tight prompts. */
export interface InitialPersonas {
  byFile: Map<string, Persona>;
  /** Sorted by file name. */
  skipped: PersonaRefusal[];
  /** Loaded, with a warning: the prompt leaves the conversation less than a quarter of the window. */
  warnings: PersonaRoomNote[];
}

/** Reads every persona file; throws a PersonaDirectoryError only when no persona is left. */
export async function loadInitialPersonas(
  dir: string,
  limits: PersonaFileLimits,
  logger: Logger,
): Promise<InitialPersonas> {
  const fileNames = await listOrExplain(dir);
  const reads = await Promise.all(fileNames.map((fileName) => readPersonaFile(dir, fileName, limits)));
  const byFile = new Map<string, Persona>();
  const ownerByName = new Map<string, string>();
  const skipped: PersonaRefusal[] = [];
  const warnings: PersonaRoomNote[] = [];
  for (const read of reads.sort(byNameSource)) {
    if (read.kind === "missing") continue;
    if (read.kind !== "parsed") {
      skipped.push(refusalOf(dir, read));
      continue;
    }
    const { persona } = read.parsed;
    const owner = ownerByName.get(persona.name);
    if (owner !== undefined) {
      skipped.push(nameTakenRefusal(dir, read.fileName, read.parsed, owner));
      continue;
    }
    ownerByName.set(persona.name, persona.source);
    byFile.set(read.fileName, persona);
    logStaleCompile(logger, persona);
    if (read.warning) {
      logRoomWarning(logger, persona, read.warning);
      warnings.push({ fileName: read.fileName, name: persona.name, warning: read.warning });
    }
  }
  skipped.sort((left, right) => compareText(left.fileName, right.fileName));
  warnings.sort((left, right) => compareText(left.fileName, right.fileName));
  for (const refusal of skipped) logRefusal(logger, refusal, "not loaded");
  if (byFile.size === 0) throw nothingLeft(dir, skipped);
  return { byFile, skipped, warnings };
}

/** No persona loaded: an empty folder says what a persona file is; otherwise every problem, listed. */
function nothingLeft(dir: string, skipped: readonly PersonaRefusal[]): PersonaDirectoryError {
  if (skipped.every((refusal) => refusal.kind === "not-a-file")) {
    const skippedNote =
      skipped.length === 0
        ? ""
        : ` (skipped, not regular files in the folder: ${skipped.map((refusal) => refusal.fileName).join(", ")})`;
    return new PersonaDirectoryError(dir, [
      `${dir}: has no persona files${skippedNote} (*.md; README.md and dotfiles are skipped): add one, e.g. ` +
        `${join(dir, "tutor.md")} whose Markdown body is the system prompt`,
    ]);
  }
  return new PersonaDirectoryError(dir, [
    ...skipped.flatMap(refusalLines),
    `${dir}: no persona is left to load: fix the files above`,
  ]);
}

async function listOrExplain(dir: string): Promise<string[]> {
  try {
    return await listPersonaFileNames(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "does not exist: create it and put persona files (*.md) in it, or set PERSONAS_DIR to the folder that has them"
        : code === "ENOTDIR"
          ? "is not a directory: set PERSONAS_DIR to the folder that holds the persona files (*.md)"
          : `cannot be read: ${(error as Error).message}`;
    throw new PersonaDirectoryError(dir, [`${dir}: ${reason}`]);
  }
}

/**
 * On a clash the file whose name comes from its file name keeps it, so the problem lands on the
 * file that set `name:` and can point at that line. Otherwise file order decides.
 */
function byNameSource(left: PersonaFileRead, right: PersonaFileRead): number {
  const setsName = (read: PersonaFileRead) =>
    read.kind === "parsed" && read.parsed.nameLine !== undefined ? 1 : 0;
  return setsName(left) - setsName(right) || compareText(left.fileName, right.fileName);
}
