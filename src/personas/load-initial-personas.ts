/**
 * The start-up read of PERSONAS_DIR. Strict: any problem in a persona file stops start-up, and the
 * error lists every problem in every file so an admin fixes them all in one pass instead of one
 * restart per typo. An entry that is no persona file at all (a link leaving the folder, a FIFO, a
 * directory named `x.md`) is skipped with a warning naming it: it is never read, so it has no problem
 * to fix, only a place that is not the persona folder's.
 */
import { join } from "node:path";
import type { Persona } from "../core/persona.js";
import type { Logger } from "../lib/logger.js";
import { formatPersonaProblem } from "./parser/persona-file-error.js";
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

/** Reads every persona file; returns personas by file name, or throws a PersonaDirectoryError. */
export async function loadInitialPersonas(
  dir: string,
  limits: PersonaFileLimits,
  logger: Logger,
): Promise<Map<string, Persona>> {
  const fileNames = await listOrExplain(dir);
  const reads = await Promise.all(fileNames.map((fileName) => readPersonaFile(dir, fileName, limits)));
  const skipped = reads.filter((read) => read.kind === "skipped");
  for (const read of skipped) {
    const file = join(dir, read.fileName);
    logger.warn({ file, reason: read.reason }, `skipping ${file}: it ${read.reason}`);
  }
  if (reads.every((read) => read.kind === "skipped" || read.kind === "missing")) {
    const skippedNote =
      skipped.length === 0
        ? ""
        : ` (skipped, not regular files in the folder: ${skipped.map((read) => read.fileName).join(", ")})`;
    throw new PersonaDirectoryError(dir, [
      `${dir}: has no persona files${skippedNote} (*.md; README.md and dotfiles are skipped): add one, e.g. ` +
        `${join(dir, "tutor.md")} whose Markdown body is the system prompt`,
    ]);
  }
  const problems: string[] = [];
  const byFile = new Map<string, Persona>();
  const ownerByName = new Map<string, string>();
  for (const read of reads.sort(byNameSource)) {
    const path = join(dir, read.fileName);
    if (read.kind === "invalid") {
      problems.push(...read.error.problems.map(formatPersonaProblem));
    } else if (read.kind === "unreadable") {
      problems.push(`${path}: cannot be read: ${read.error.message}`);
    } else if (read.kind === "parsed") {
      const { persona, nameLine } = read.parsed;
      const owner = ownerByName.get(persona.name);
      if (owner === undefined) {
        ownerByName.set(persona.name, path);
        byFile.set(read.fileName, persona);
      } else {
        problems.push(
          formatPersonaProblem({
            file: path,
            field: "name",
            reason: `the persona name "${persona.name}" is already used by ${owner}: names must be unique, rename one of them`,
            ...(nameLine === undefined ? {} : { line: nameLine }),
          }),
        );
      }
    }
  }
  if (problems.length > 0) throw new PersonaDirectoryError(dir, problems);
  return byFile;
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
  return setsName(left) - setsName(right) || left.fileName.localeCompare(right.fileName);
}
