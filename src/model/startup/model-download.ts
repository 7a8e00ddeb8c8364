/**
 * Downloads a model file with resume and verification. Bytes go to `<file>.part`; an interrupted
 * download keeps it and the next attempt asks only for the rest (HTTP Range). The finished file is
 * checked (the size the server stated, the GGUF header, the SHA-256 when the source gives one) and
 * only then renamed into place, so a file under its final name is always complete.
 *
 * Why not node-llama-cpp's `createModelDownloader` (ipull underneath), checked with 3.21.1 / ipull
 * 3.9.5 against a loopback server (tests/model/startup/library-downloader.test.ts pins 1 and 3):
 * 1. Cancelling is unsafe: `download({ signal })` resolves as if finished when the signal fires and
 *    returns a path with no complete file at it; in 4 of 30 aborted runs ipull had renamed the
 *    unfinished file (its progress JSON appended) to the final name. Ctrl-C must keep a part and
 *    never leave a partial file where a model is looked for.
 * 2. Failures go unreported: a refused connection, or a server that cuts every response, is retried
 *    150 times up to 5 s apart (about 12 min) with no error and no progress, and the first request
 *    (in `createModelDownloader` itself) takes no AbortSignal. Here it is one clear line at once.
 * 3. Nothing is verified: it keeps a file shorter than stated, one with another SHA-256, an HTML
 *    page. It lets fetch follow redirects, so Hugging Face's `X-Linked-Size` / `X-Linked-Etag`,
 *    which only the redirect carries, are out of its reach (download-request.ts reads them).
 * What it does better: after a cut it retries within the run (from the start of a 5 MB chunk);
 * here the next start resumes. Its resume file is its own `<file>.ipull`; it ignores `.part`.
 * Its import cost (it is exported only from the package root, ~0.35 s) would be fine lazily.
 *
 * The URL may carry `user:password@` and a `?token=`: download-request.ts sends the credentials as
 * basic auth to the URL's own host only; every message here prints the URL masked (`target.display`).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { maskUrl } from "../../lib/mask-url.js";
import { checkGgufFile } from "../embedded/gguf-header.js";
import { describeError } from "../server-error-text.js";
import {
  type DownloadTarget,
  downloadTarget,
  maskedCause,
  parseContentLength,
  parseContentRange,
  parseUnsatisfiedRange,
  RedirectError,
  requestDownload,
} from "./download-request.js";
import { createSpeedMeter, type DownloadProgress } from "./download-speed.js";

export type { DownloadProgress } from "./download-speed.js";

export interface DownloadOptions {
  /** May hold `user:password@` (sent as basic auth, to this URL's origin only) and query tokens. */
  url: string;
  /** The final path; `<destination>.part` holds the bytes until they are verified. */
  destination: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Checked when given, or when a server states one (Hugging Face's `X-Linked-Etag`). */
  expectedSha256?: string;
  /** At most this often, plus a last call when done. Default 100 ms. */
  progressIntervalMs?: number;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  resumedFromBytes: number;
  /** The SHA-256 checked, if there was one to check. */
  sha256: string | undefined;
}

/** `credentials`: the server refused the user name and password the URL carried (401/403). */
export type DownloadErrorKind =
  | "not-found"
  | "credentials"
  | "refused"
  | "interrupted"
  | "verification"
  | "io";

export class ModelDownloadError extends Error {
  constructor(
    readonly kind: DownloadErrorKind,
    message: string,
    /** The URL as it may be printed: password and query tokens masked. */
    readonly url: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = "ModelDownloadError";
  }
}

export async function downloadModel(options: DownloadOptions): Promise<DownloadResult> {
  const { destination } = options;
  const target = targetOf(options.url);
  const url = target.display;
  const partPath = `${destination}.part`;
  await mkdir(dirname(destination), { recursive: true }).catch((error: unknown) => {
    throw new ModelDownloadError("io", `cannot create ${dirname(destination)}: ${describeError(error)}`, url);
  });
  // One restart is allowed when the server cannot continue the .part we have (changed file, 416).
  for (let attempt = 0; ; attempt++) {
    const outcome = await attemptDownload(options, target, partPath, attempt > 0);
    if (outcome === "restart" && attempt === 0) continue;
    if (outcome === "restart") throw new ModelDownloadError("refused", `${url} refuses to resume`, url);
    await rename(partPath, destination);
    return outcome;
  }
}

function targetOf(url: string): DownloadTarget {
  try {
    return downloadTarget(url);
  } catch (error) {
    throw new ModelDownloadError("not-found", describeError(error), maskUrl(url));
  }
}

async function attemptDownload(
  options: DownloadOptions,
  target: DownloadTarget,
  partPath: string,
  fresh: boolean,
): Promise<DownloadResult | "restart"> {
  const url = target.display;
  if (fresh) await rm(partPath, { force: true });
  const existing = await fileSize(partPath);
  // The Range goes to every hop; the credentials only to the URL's origin (download-request.ts).
  const headers: Record<string, string> = existing > 0 ? { range: `bytes=${existing}-` } : {};
  let answer: Awaited<ReturnType<typeof requestDownload>>;
  try {
    answer = await requestDownload({
      target,
      headers,
      fetch: options.fetch ?? globalThis.fetch,
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (error instanceof RedirectError) throw new ModelDownloadError("refused", error.message, url);
    throw new ModelDownloadError("interrupted", `cannot reach ${url}: ${describeError(error)}`, url, {
      cause: maskedCause(error),
    });
  }
  const { response } = answer;
  if (response.status === 416) {
    await response.body?.cancel();
    // Nothing left to send: the .part may already be whole; verification decides.
    const total = parseUnsatisfiedRange(response.headers);
    if (total !== existing) return "restart";
    return verify(options, url, partPath, { ...answer, total, resumedFrom: existing });
  }
  if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    throw statusError(url, response.status, response.statusText, answer.sentAuthorization);
  }
  const range = response.status === 206 ? parseContentRange(response.headers) : undefined;
  if (response.status === 206 && range?.start !== existing) {
    await response.body?.cancel();
    return "restart";
  }
  const resumedFrom = response.status === 206 ? existing : 0;
  const length = parseContentLength(response.headers);
  const total = range?.total ?? (length === undefined ? undefined : resumedFrom + length);
  await writeBody(options, url, partPath, response, resumedFrom, answer.linkedSize ?? total);
  return verify(options, url, partPath, { ...answer, total, resumedFrom });
}

async function writeBody(
  options: DownloadOptions,
  url: string,
  partPath: string,
  response: Response,
  resumedFrom: number,
  expectedBytes: number | undefined,
): Promise<void> {
  const meter = createSpeedMeter(resumedFrom, expectedBytes);
  const interval = options.progressIntervalMs ?? 100;
  let lastReport = performance.now();
  options.onProgress?.(meter.snapshot());
  // Each chunk is on disk before the next is read, so a cut loses nothing that arrived.
  const file = await open(partPath, resumedFrom > 0 ? "a" : "w");
  try {
    if (response.body === null) throw new Error("the response has no body");
    for await (const chunk of response.body) {
      await file.write(chunk);
      meter.add(chunk.length);
      if (performance.now() - lastReport >= interval) {
        lastReport = performance.now();
        options.onProgress?.(meter.snapshot());
      }
    }
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const got = meter.snapshot().receivedBytes;
    throw new ModelDownloadError(
      "interrupted",
      `the download of ${url} stopped at ${got} of ${expectedBytes ?? "?"} bytes (${describeError(error)}); ` +
        "the part already downloaded is kept and the next attempt resumes from it",
      url,
      { cause: maskedCause(error) },
    );
  } finally {
    await file.close();
  }
  options.onProgress?.(meter.snapshot(true));
}

interface Received {
  /** The size this response stated (Content-Length, Content-Range). */
  total: number | undefined;
  /** The size a redirect hop stated for the file itself (X-Linked-Size). */
  linkedSize: number | undefined;
  linkedSha256: string | undefined;
  resumedFrom: number;
}

async function verify(
  options: DownloadOptions,
  url: string,
  partPath: string,
  received: Received,
): Promise<DownloadResult> {
  const bytes = await fileSize(partPath);
  const reject = async (problem: string): Promise<never> => {
    // A bad file is useless to resume from: start afresh next time.
    await rm(partPath, { force: true });
    throw new ModelDownloadError(
      "verification",
      `the file downloaded from ${url} ${problem}; it was deleted`,
      url,
    );
  };
  if (received.total !== undefined && bytes < received.total) {
    throw new ModelDownloadError(
      "interrupted",
      `the download of ${url} ended at ${bytes} of ${received.total} bytes; the next attempt resumes from it`,
      url,
    );
  }
  const expected = received.linkedSize ?? received.total;
  if (expected !== undefined && bytes !== expected) {
    return reject(`is ${bytes} bytes, but the source says the file is ${expected} bytes`);
  }
  const header = await checkGgufFile(partPath);
  if (!header.ok) return reject(`is not a usable model: ${header.problem}`);
  const expectedSha256 = options.expectedSha256?.toLowerCase() ?? received.linkedSha256;
  if (expectedSha256 !== undefined) {
    const actual = await sha256Of(partPath);
    if (actual !== expectedSha256)
      return reject(`has SHA-256 ${actual}, but the source says ${expectedSha256}`);
  }
  return { path: options.destination, bytes, resumedFromBytes: received.resumedFrom, sha256: expectedSha256 };
}

function statusError(
  url: string,
  status: number,
  statusText: string,
  sentAuthorization: boolean,
): ModelDownloadError {
  if (status === 404 || status === 410) {
    return new ModelDownloadError("not-found", `there is no file at ${url} (HTTP ${status})`, url);
  }
  // Only a server that got the credentials can have refused them (a CDN after a redirect did not).
  if ((status === 401 || status === 403) && sentAuthorization) {
    return new ModelDownloadError(
      "credentials",
      `the server at ${url} refused the user name and password in the URL (HTTP ${status})`,
      url,
    );
  }
  // Hugging Face answers 401 for a repository that does not exist as well as for a gated one.
  if (status === 401 || status === 403) {
    return new ModelDownloadError(
      "not-found",
      `${url} answered HTTP ${status}: the repository or file does not exist, or it needs a login`,
      url,
    );
  }
  return new ModelDownloadError("refused", `${url} answered HTTP ${status} ${statusText}`.trim(), url);
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
