/**
 * The HTTP side of a model download: follows redirects by hand so the headers of every hop can be
 * read (Hugging Face states the file's size and SHA-256 on its redirect, `X-Linked-Size` and
 * `X-Linked-Etag`, and the CDN it redirects to does not repeat them), and parses the range headers.
 * node-llama-cpp's downloader cannot stand in: it lets fetch follow redirects and only sees the
 * final response, so it never has these headers (see model-download.ts).
 */
import { z } from "zod";

export interface DownloadResponse {
  response: Response;
  /** The URL that finally answered. */
  finalUrl: string;
  /** The file's size as a hop stated it (`X-Linked-Size`), if one did. */
  linkedSize: number | undefined;
  /** A SHA-256 a hop stated (`X-Linked-Etag` holding 64 hex digits), if one did. */
  linkedSha256: string | undefined;
}

const maxRedirects = 10;
const sizeHeader = z.coerce.number().int().nonnegative();
const sha256Header = z
  .string()
  .transform((value) => value.replace(/^W\//, "").replaceAll('"', "").trim().toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{64}$/));
const contentRange = z
  .string()
  .regex(/^bytes (\d+)-(\d+)\/(\d+|\*)$/)
  .transform((value) => {
    const [, start = "0", end = "0", total = "*"] = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value) ?? [];
    return { start: Number(start), end: Number(end), total: total === "*" ? undefined : Number(total) };
  });
const unsatisfiedRange = z
  .string()
  .regex(/^bytes \*\/(\d+)$/)
  .transform((value) => Number(value.slice("bytes */".length)));

export async function requestDownload(
  url: string,
  headers: Record<string, string>,
  fetchImpl: typeof fetch,
  signal?: AbortSignal,
): Promise<DownloadResponse> {
  let current = url;
  let linkedSize: number | undefined;
  let linkedSha256: string | undefined;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const response = await fetchImpl(current, { headers, redirect: "manual", signal });
    linkedSize ??= parseHeader(sizeHeader, response.headers.get("x-linked-size"));
    linkedSha256 ??= parseHeader(sha256Header, response.headers.get("x-linked-etag"));
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      current = new URL(location, current).toString();
      continue;
    }
    return { response, finalUrl: current, linkedSize, linkedSha256 };
  }
  throw new Error(`more than ${maxRedirects} redirects from ${url}`);
}

/** `Content-Range: bytes 100-199/1000` of a 206. */
export function parseContentRange(
  headers: Headers,
): { start: number; total: number | undefined } | undefined {
  return parseHeader(contentRange, headers.get("content-range"));
}

/** The total size a 416 states (`Content-Range: bytes *\/1000`). */
export function parseUnsatisfiedRange(headers: Headers): number | undefined {
  return parseHeader(unsatisfiedRange, headers.get("content-range"));
}

export function parseContentLength(headers: Headers): number | undefined {
  return parseHeader(sizeHeader, headers.get("content-length"));
}

function parseHeader<T>(schema: z.ZodType<T>, value: string | null): T | undefined {
  if (value === null) return undefined;
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
