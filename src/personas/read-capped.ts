/**
 * Reads a file that inspectPersonaEntry found to be a regular file, never more than a cap. The
 * name can change between that check and the open, so the open itself is guarded: O_NONBLOCK makes
 * a FIFO put there meanwhile open without waiting for a writer, O_NOFOLLOW refuses a link put
 * there, and the opened file must be the very file that was checked (device and inode) or nothing is
 * read. Reading stops one byte past the cap, so a file growing after its size was seen cannot slip
 * past it either.
 */
import { constants, type Stats } from "node:fs";
import { open } from "node:fs/promises";

export type CappedRead =
  | { kind: "text"; text: string }
  /** `bytes`: the size seen, or undefined when the file grew past the cap while it was read. */
  | { kind: "too-big"; bytes?: number }
  /** What was opened is not the file that was checked: it was replaced in between. */
  | { kind: "replaced" };

const CHUNK_BYTES = 64 * 1024;
// Both are 0 where the platform lacks them (Windows): the inode comparison still holds there.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export type CappedBytes =
  | { kind: "bytes"; bytes: Buffer }
  | { kind: "too-big"; bytes?: number }
  | { kind: "replaced" };

export async function readCapped(path: string, checked: Stats, maxBytes: number): Promise<CappedRead> {
  const read = await readCappedBytes(path, checked, maxBytes);
  return read.kind === "bytes" ? { kind: "text", text: read.bytes.toString("utf8") } : read;
}

/** The same guarded read, as bytes: an imported character card may be a PNG or a zip. */
export async function readCappedBytes(path: string, checked: Stats, maxBytes: number): Promise<CappedBytes> {
  if (checked.size > maxBytes) return { kind: "too-big", bytes: checked.size };
  const handle = await open(path, OPEN_FLAGS).catch((error: NodeJS.ErrnoException) => {
    // O_NOFOLLOW met a link where the checked file was.
    if (error.code === "ELOOP") return undefined;
    throw error;
  });
  if (handle === undefined) return { kind: "replaced" };
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || opened.ino !== checked.ino || opened.dev !== checked.dev) {
      return { kind: "replaced" };
    }
    if (opened.size > maxBytes) return { kind: "too-big", bytes: opened.size };
    const chunks: Buffer[] = [];
    let total = 0;
    while (total <= maxBytes) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
    }
    if (total > maxBytes) return { kind: "too-big" };
    return { kind: "bytes", bytes: Buffer.concat(chunks, total) };
  } finally {
    await handle.close();
  }
}
