/**
 * A cheap check of a model file before anything native touches it: it exists, it is a GGUF file
 * (magic "GGUF"), a version llama.cpp reads (2 or 3), and sane counts. Some malformed files make
 * llama.cpp abort the whole process instead of throwing, and an HTML error page saved as `.gguf`
 * is a common download mistake, so this runs before every load and after every download.
 */
import { open } from "node:fs/promises";
import { z } from "zod";

/** magic (4) + u32 version + u64 tensor count + u64 metadata count. */
const headerBytes = 24;

/** Far above any real model (a 405B model has a few thousand tensors and ~50 metadata keys). */
const header = z.object({
  magic: z.literal("GGUF"),
  version: z.union([z.literal(2), z.literal(3)]),
  tensorCount: z.bigint().min(1n).max(1_000_000n),
  metadataCount: z.bigint().min(1n).max(100_000n),
});

export type GgufHeader = { fileBytes: number; version: number; tensorCount: number; metadataCount: number };

export type GgufCheck =
  | ({ ok: true } & GgufHeader)
  | {
      ok: false;
      reason: "missing" | "not-a-file" | "not-gguf" | "unsupported" | "unreadable";
      problem: string;
    };

export async function checkGgufFile(path: string): Promise<GgufCheck> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, reason: "missing", problem: "the file does not exist" };
    if (code === "EISDIR") return { ok: false, reason: "not-a-file", problem: "it is a folder, not a file" };
    return { ok: false, reason: "unreadable", problem: `it cannot be read (${code ?? String(error)})` };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { ok: false, reason: "not-a-file", problem: "it is not a regular file" };
    const buffer = Buffer.alloc(headerBytes);
    const { bytesRead } = await handle.read(buffer, 0, headerBytes, 0);
    return parseHeader(buffer.subarray(0, bytesRead), stats.size);
  } catch (error) {
    return { ok: false, reason: "unreadable", problem: `it cannot be read (${String(error)})` };
  } finally {
    await handle.close();
  }
}

/** Parses the first 24 bytes of a file of `fileBytes` bytes. */
export function parseHeader(bytes: Buffer, fileBytes: number): GgufCheck {
  if (bytes.length < headerBytes) {
    const what = fileBytes === 0 ? "the file is empty" : `the file is only ${fileBytes} bytes long`;
    return { ok: false, reason: "not-gguf", problem: `${what}: not a GGUF model` };
  }
  const magic = bytes.toString("latin1", 0, 4);
  const parsed = header.safeParse({
    magic,
    version: bytes.readUInt32LE(4),
    tensorCount: bytes.readBigUInt64LE(8),
    metadataCount: bytes.readBigUInt64LE(16),
  });
  if (parsed.success) {
    return {
      ok: true,
      fileBytes,
      version: parsed.data.version,
      tensorCount: Number(parsed.data.tensorCount),
      metadataCount: Number(parsed.data.metadataCount),
    };
  }
  if (magic !== "GGUF") {
    return {
      ok: false,
      reason: "not-gguf",
      problem: `it is not a GGUF model (it starts with ${JSON.stringify(printable(bytes.subarray(0, 16)))})`,
    };
  }
  const field = parsed.error.issues[0]?.path[0];
  if (field === "version") {
    return {
      ok: false,
      reason: "unsupported",
      problem: `it is GGUF version ${bytes.readUInt32LE(4)}, and only versions 2 and 3 can be read`,
    };
  }
  return { ok: false, reason: "not-gguf", problem: `its GGUF header is corrupt (bad ${String(field)})` };
}

/** Shows what a file starts with (an HTML page, a JSON error) without control characters. */
function printable(bytes: Buffer): string {
  return bytes.toString("latin1").replace(/[^\x20-\x7e]/g, "?");
}
