/**
 * A persona by name among PERSONAS_DIR's files, read the way troupe reads them (the same checks,
 * the same problems), for the commands that work on one persona's file.
 */

import type { ParsedPersonaFile } from "../../personas/parser/persona-parser.js";
import { listPersonaFileNames, readPersonaFile } from "../../personas/persona-files.js";
import type { PersonaFileLimits } from "../../personas/persona-limits.js";

export type FoundPersonaFile =
  | { kind: "found"; path: string; parsed: ParsedPersonaFile }
  /** One line: the persona is unknown, or its file has a problem (file:line: reason). */
  | { kind: "problem"; message: string };

export async function findPersonaFile(
  dir: string,
  name: string,
  limits: PersonaFileLimits,
): Promise<FoundPersonaFile> {
  let fileNames: string[];
  try {
    fileNames = await listPersonaFileNames(dir);
  } catch (error) {
    return { kind: "problem", message: `cannot read PERSONAS_DIR=${dir}: ${(error as Error).message}` };
  }
  const known: string[] = [];
  for (const fileName of fileNames) {
    const read = await readPersonaFile(dir, fileName, limits);
    if (read.kind === "parsed") {
      if (read.parsed.persona.name === name) {
        return { kind: "found", path: read.parsed.persona.source, parsed: read.parsed };
      }
      known.push(read.parsed.persona.name);
    } else if (read.kind === "invalid" && (read.name === name || fileName === `${name}.md`)) {
      const first = read.error.message.split("\n")[0];
      return { kind: "problem", message: `persona "${name}" has a problem: ${first}` };
    }
  }
  const listed = known.length === 0 ? "none loads" : `known: ${known.sort().join(", ")}`;
  return { kind: "problem", message: `no persona named "${name}" in PERSONAS_DIR=${dir} (${listed})` };
}
