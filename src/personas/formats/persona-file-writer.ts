/**
 * Writes the files an import makes (the persona, its avatar) so that a failure leaves nothing half
 * written: each is written to a temporary file beside its target, then moved into place. Without
 * `force` a target that exists is refused, checked for every target before anything is written,
 * and the move itself refuses too (a hard link fails when the name is taken), so a file made in
 * between is not overwritten either.
 */
import { randomBytes } from "node:crypto";
import { link, mkdir, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface FileToWrite {
  path: string;
  data: string | Uint8Array;
}

export class FileExistsError extends Error {
  override readonly name = "FileExistsError";
  constructor(readonly path: string) {
    super(`${path} already exists: pass --force to replace it`);
  }
}

/** All or nothing, in order; the last file is the one that makes the persona appear (the .md). */
export async function writeFilesAtomically(
  files: readonly FileToWrite[],
  options: { force: boolean },
): Promise<void> {
  if (!options.force) {
    for (const file of files) if (await exists(file.path)) throw new FileExistsError(file.path);
  }
  const temporaries: { temp: string; path: string }[] = [];
  try {
    for (const file of files) {
      await mkdir(dirname(file.path), { recursive: true });
      // A dot name: the persona folder's reader skips dotfiles, so a temporary .md never loads.
      const temp = join(dirname(file.path), `.${basename(file.path)}.${randomBytes(6).toString("hex")}.tmp`);
      await writeFile(temp, file.data, { flag: "wx" });
      temporaries.push({ temp, path: file.path });
    }
    const placed: string[] = [];
    try {
      for (const { temp, path } of temporaries) {
        if (options.force) {
          await rename(temp, path);
        } else {
          await link(temp, path).catch((error: NodeJS.ErrnoException) => {
            throw error.code === "EEXIST" ? new FileExistsError(path) : error;
          });
          await unlink(temp);
        }
        placed.push(path);
      }
    } catch (error) {
      // Without force nothing was there before: what this call placed goes again.
      if (!options.force) await Promise.all(placed.map((path) => unlink(path).catch(() => undefined)));
      throw error;
    }
  } finally {
    await Promise.all(temporaries.map(({ temp }) => unlink(temp).catch(() => undefined)));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
