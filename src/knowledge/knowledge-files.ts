/**
 * Which files a persona answers from: its `knowledge:` entries resolved against the persona file's
 * folder (so a persona folder can move with its documents), each a file or a folder walked for
 * Markdown, text and HTML. Hidden folders and node_modules are skipped (they hold tooling, not
 * documents), symbolic links to folders are not followed (no loops), and an over-large file is left
 * out rather than stalling the index.
 */
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import type { Persona } from "../core/persona.js";
import { documentKind } from "./chunk-document.js";

/** Larger files are skipped with a log line: a document this big is an export, not documentation. */
export const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;
const MAX_DEPTH = 16;

export interface DocumentFile {
  /** Absolute. */
  path: string;
  size: number;
  mtimeMs: number;
}

/** The persona's roots, absolute: files or folders, as its front matter lists them. */
export function knowledgeRoots(persona: Pick<Persona, "knowledge" | "source">): string[] {
  const base = dirname(resolve(persona.source));
  return [...new Set((persona.knowledge ?? []).map((entry) => resolve(base, entry)))];
}

/** Whether `path` is the root or inside it. */
export function isUnder(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The name people see for a document: a file root by its own name (`README.md`), a file in a
 * folder root by the folder's name and its path inside (`docs/architecture.md`).
 */
export function documentName(roots: readonly string[], path: string): string {
  const root = roots.find((candidate) => isUnder(candidate, path));
  if (root === undefined || root === path) return basename(path);
  return [basename(root), ...relative(root, path).split(sep)].join("/");
}

export interface RootListing {
  files: DocumentFile[];
  /** Files left out for their size. */
  tooBig: string[];
  /** The root is not there (yet): its documents are forgotten, and it is looked at again on change. */
  missing: boolean;
}

export async function listRoot(root: string): Promise<RootListing> {
  const listing: RootListing = { files: [], tooBig: [], missing: false };
  let rootStats: Awaited<ReturnType<typeof stat>>;
  try {
    rootStats = await stat(root);
  } catch {
    return { ...listing, missing: true };
  }
  if (rootStats.isFile()) {
    if (documentKind(root) !== undefined) addFile(listing, root, rootStats.size, rootStats.mtimeMs);
    return listing;
  }
  if (rootStats.isDirectory()) await walk(root, 0, listing);
  return listing;
}

async function walk(dir: string, depth: number, listing: RootListing): Promise<void> {
  if (depth > MAX_DEPTH) return;
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, depth + 1, listing);
    else if ((entry.isFile() || entry.isSymbolicLink()) && documentKind(entry.name) !== undefined) {
      try {
        const stats = await stat(path);
        if (stats.isFile()) addFile(listing, path, stats.size, stats.mtimeMs);
      } catch {
        // Gone between the listing and the look: the next change event lists it again.
      }
    }
  }
}

function addFile(listing: RootListing, path: string, size: number, mtimeMs: number): void {
  if (size > MAX_DOCUMENT_BYTES) listing.tooBig.push(path);
  else listing.files.push({ path, size, mtimeMs });
}
