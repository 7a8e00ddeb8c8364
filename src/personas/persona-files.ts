/**
 * Reading persona files from PERSONAS_DIR: which names count, and what reading one gives. Only a
 * regular file inside the folder is opened (persona-entry.ts), never more than PERSONA_MAX_KB of it
 * (read-capped.ts), and a persona whose fixed prompt leaves no room to converse is refused
 * (persona-prompt-fit.ts): the last two are problems in the file, like a typo in its front matter.
 * One whose prompt fits but leaves little room is read with a warning. An `adapter:` that names no
 * file is a problem in the file too, found here because the parser never touches the disk; so is an
 * `avatar:` path that names no picture (persona-avatar.ts).
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  type ParsedPersonaFile,
  PersonaFileError,
  type PersonaProblem,
  parsePersonaFile,
} from "./parser/persona-parser.js";
import { findLocalAvatar } from "./persona-avatar.js";
import { inspectPersonaEntry } from "./persona-entry.js";
import type { PersonaFileLimits } from "./persona-limits.js";
import { type PromptRoomWarning, promptFitProblem, promptRoomWarning } from "./persona-prompt-fit.js";
import { readCapped } from "./read-capped.js";

/** `*.md`, but not README.md (a folder's notes for humans) and not dotfiles (editor swap and lock files). */
export function isPersonaFileName(fileName: string): boolean {
  return /\.md$/i.test(fileName) && !fileName.startsWith(".") && fileName.toLowerCase() !== "readme.md";
}

/** Every entry named like a persona file, whatever it is: reading one decides whether it is a file. */
export async function listPersonaFileNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir);
  return entries.filter(isPersonaFileName).sort();
}

export type PersonaFileRead =
  /** `warning`: the prompt fits the context window, but leaves the conversation little of it. */
  | { kind: "parsed"; fileName: string; parsed: ParsedPersonaFile; warning?: PromptRoomWarning }
  /** `name`: the persona it would be, when the file parsed but its prompt does not fit. */
  | { kind: "invalid"; fileName: string; error: PersonaFileError; name?: string }
  | { kind: "missing"; fileName: string }
  /** Not a persona file at all (a link leaving the folder, a FIFO, a directory…): never opened. */
  | { kind: "skipped"; fileName: string; reason: string }
  | { kind: "unreadable"; fileName: string; error: Error };

export async function readPersonaFile(
  dir: string,
  fileName: string,
  limits: PersonaFileLimits,
): Promise<PersonaFileRead> {
  const path = join(dir, fileName);
  const entry = await inspectPersonaEntry(dir, fileName);
  if (entry.kind !== "file") return { ...entry, fileName };
  let text: string;
  try {
    const read = await readCapped(entry.path, entry.stats, limits.maxFileKb * 1024);
    if (read.kind === "replaced") {
      // Swapped between the check and the open: the watcher reports that change and it is read then.
      return { kind: "unreadable", fileName, error: new Error("it was replaced while being read") };
    }
    if (read.kind === "too-big") return invalid(fileName, { file: path, reason: tooBig(read.bytes, limits) });
    text = read.text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing", fileName };
    return { kind: "unreadable", fileName, error: error as Error };
  }
  let parsed: ParsedPersonaFile;
  try {
    parsed = parsePersonaFile(text, { path, fileName });
  } catch (error) {
    if (error instanceof PersonaFileError) return { kind: "invalid", fileName, error };
    throw error;
  }
  const adapterProblem = await missingAdapterProblem(parsed, path);
  if (adapterProblem) return { ...invalid(fileName, adapterProblem), name: parsed.persona.name };
  const avatar = await findLocalAvatar(parsed, path, dir);
  if (avatar.kind === "problem") return { ...invalid(fileName, avatar.problem), name: parsed.persona.name };
  if (avatar.kind === "served") parsed.persona.avatarFile = avatar.avatarFile;
  const { budget } = limits;
  if (budget === undefined) return { kind: "parsed", fileName, parsed };
  const problem = promptFitProblem(parsed.persona, budget);
  if (problem) return { ...invalid(fileName, problem), name: parsed.persona.name };
  const warning = promptRoomWarning(parsed.persona, budget);
  return warning ? { kind: "parsed", fileName, parsed, warning } : { kind: "parsed", fileName, parsed };
}

async function missingAdapterProblem(
  parsed: ParsedPersonaFile,
  file: string,
): Promise<PersonaProblem | undefined> {
  const { adapter } = parsed.persona;
  if (adapter === undefined) return undefined;
  const found = await stat(adapter).then(
    (stats) => (stats.isFile() ? undefined : "is not a file"),
    (error: NodeJS.ErrnoException) =>
      error.code === "ENOENT" ? "does not exist" : `cannot be read (${error.code})`,
  );
  if (found === undefined) return undefined;
  return {
    file,
    field: "adapter",
    ...(parsed.adapterLine === undefined ? {} : { line: parsed.adapterLine }),
    reason:
      `the LoRA adapter ${adapter} ${found}: put the adapter's GGUF file there, or fix the path ` +
      "(relative to this persona file), or remove the adapter line",
  };
}

function invalid(fileName: string, problem: PersonaProblem): PersonaFileRead & { kind: "invalid" } {
  return { kind: "invalid", fileName, error: new PersonaFileError([problem]) };
}

function tooBig(bytes: number | undefined, limits: PersonaFileLimits): string {
  const over =
    bytes === undefined
      ? `grew past PERSONA_MAX_KB=${limits.maxFileKb} while being read`
      : `${Math.ceil(bytes / 1024).toLocaleString("en-US")} KB is over PERSONA_MAX_KB=${limits.maxFileKb}`;
  return `${over}: a persona file is a prompt sent with every message; shorten it, or raise PERSONA_MAX_KB`;
}
