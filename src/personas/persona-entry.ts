/**
 * What stands at a name in PERSONAS_DIR, found without opening anything (lstat, realpath, lstat):
 * only a regular file inside the folder, after resolving links, is a persona file. A link leaving
 * the folder would make any file on the machine (/etc/passwd, a key) a system prompt that /persona
 * shows; a FIFO blocks whoever opens it, and a blocked open holds a libuv thread that even
 * process.exit waits for. Everything else is skipped with a reason that says what it is.
 */
import type { Stats } from "node:fs";
import { lstat, readlink, realpath } from "node:fs/promises";
import { basename, isAbsolute, join, relative, sep } from "node:path";

export type PersonaEntry =
  /** A regular file: `path` is its real path, `stats` what lstat saw there (compared after opening). */
  | { kind: "file"; path: string; stats: Stats }
  | { kind: "missing" }
  /** Not a persona file at all: a link out of the folder, a dangling link, a FIFO, a directory… */
  | { kind: "skipped"; reason: string }
  | { kind: "unreadable"; error: Error };

export async function inspectPersonaEntry(dir: string, fileName: string): Promise<PersonaEntry> {
  // Names come from readdir or the watcher, so never a path; a name that is one is not ours to follow.
  if (basename(fileName) !== fileName || fileName === "." || fileName === "..") {
    return { kind: "skipped", reason: "is not a plain file name" };
  }
  try {
    const realDir = await realpath(dir);
    const path = join(dir, fileName);
    const entry = await lstat(path);
    if (!entry.isSymbolicLink()) {
      return entry.isFile()
        ? { kind: "file", path: join(realDir, fileName), stats: entry }
        : { kind: "skipped", reason: `is ${describeType(entry)}, not a regular file` };
    }
    return await inspectLink(realDir, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Gone (deleted, or renamed away mid-save), or the folder itself is gone: no persona here.
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
    return { kind: "unreadable", error: error as Error };
  }
}

async function inspectLink(realDir: string, path: string): Promise<PersonaEntry> {
  let target: string;
  try {
    target = await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const pointsAt = await readlink(path).catch(() => "?");
    return { kind: "skipped", reason: `is a link to ${pointsAt}, which does not exist` };
  }
  if (!isInside(realDir, target)) {
    return {
      kind: "skipped",
      reason: `is a link to ${target}, outside PERSONAS_DIR: only files inside the folder are read`,
    };
  }
  // The real path has no links left; lstat keeps it that way should one be put there meanwhile.
  const stats = await lstat(target);
  if (!stats.isFile()) {
    return { kind: "skipped", reason: `is a link to ${describeType(stats)}, not to a regular file` };
  }
  return { kind: "file", path: target, stats };
}

function isInside(realDir: string, target: string): boolean {
  const path = relative(realDir, target);
  return path !== "" && !isAbsolute(path) && path.split(sep)[0] !== "..";
}

function describeType(stats: Stats): string {
  if (stats.isFIFO()) return "a named pipe (FIFO)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isDirectory()) return "a directory";
  if (stats.isSymbolicLink()) return "a link";
  return "something other than a file";
}
