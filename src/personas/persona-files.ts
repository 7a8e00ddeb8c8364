/**
 * Reading persona files from PERSONAS_DIR: which files count, and what reading one gives.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type ParsedPersonaFile, PersonaFileError, parsePersonaFile } from "./parser/persona-parser.js";

/** `*.md`, but not README.md (a folder's notes for humans) and not dotfiles (editor swap and lock files). */
export function isPersonaFileName(fileName: string): boolean {
  return /\.md$/i.test(fileName) && !fileName.startsWith(".") && fileName.toLowerCase() !== "readme.md";
}

export async function listPersonaFileNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && isPersonaFileName(entry.name))
    .map((entry) => entry.name)
    .sort();
}

export type PersonaFileRead =
  | { kind: "parsed"; fileName: string; parsed: ParsedPersonaFile }
  | { kind: "invalid"; fileName: string; error: PersonaFileError }
  | { kind: "missing"; fileName: string }
  | { kind: "unreadable"; fileName: string; error: Error };

export async function readPersonaFile(dir: string, fileName: string): Promise<PersonaFileRead> {
  const path = join(dir, fileName);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Gone (deleted, or renamed away mid-save) or not a file at all: either way, no persona here.
    if (code === "ENOENT" || code === "EISDIR") return { kind: "missing", fileName };
    return { kind: "unreadable", fileName, error: error as Error };
  }
  try {
    return { kind: "parsed", fileName, parsed: parsePersonaFile(text, { path, fileName }) };
  } catch (error) {
    if (error instanceof PersonaFileError) return { kind: "invalid", fileName, error };
    throw error;
  }
}
