/**
 * The HTTP side of a model download: follows redirects by hand so the headers of every hop can be
 * read (Hugging Face states the file's size and SHA-256 on its redirect, `X-Linked-Size` and
 * `X-Linked-Etag`, and the CDN it redirects to does not repeat them), and parses the range headers.
 * node-llama-cpp's downloader cannot stand in: it lets fetch follow redirects and only sees the
 * final response, so it never has these headers (see model-download.ts).
 *
 * Credentials: an EMBEDDED_MODEL URL may carry `user:password@` (a model behind a proxy's basic
 * auth) and a `?token=`. fetch refuses a URL with credentials, and says so with the whole URL in
 * its message ("Request cannot be constructed from a URL that includes credentials: <URL>"), so
 * they leave the URL here and travel as an `Authorization: Basic` header, and only to the URL's own
 * origin: a redirect to another host (Hugging Face sends the bytes from a CDN) goes without it, as
 * browsers do, and it is not sent again on that request. The query stays in the URL (the server
 * needs it), so it is masked wherever a URL is printed (`display`).
 *
 * What fetch (Node 20's undici) puts into its errors, checked: a network failure is
 * `TypeError: fetch failed` with the socket's or DNS's error as cause (`connect ECONNREFUSED
 * 127.0.0.1:port`, `getaddrinfo ENOTFOUND host`, a `SocketError` with local and remote addresses),
 * and a cut body is `TypeError: terminated`: host and port, never the path or query. Only a URL that
 * does not parse ("Failed to parse URL from <URL>", with Node's ERR_INVALID_URL as cause carrying
 * the URL in `input` and `base`) or one with credentials puts the URL in; neither reaches fetch from
 * here. Other fetch implementations do quote the URL (node-fetch: "request to <URL> failed"), so a
 * cause whose text holds a URL secret is replaced by a masked copy (`maskedCause`).
 */
import { z } from "zod";
import { maskUrl, maskUrlsIn } from "../../lib/mask-url.js";
import { describeError } from "../server-error-text.js";
import { parseServerUrl } from "../server-url.js";

/** Where a download goes, split into what each part is for. */
export interface DownloadTarget {
  /** The URL without user name and password: what fetch gets. */
  url: string;
  /** `Basic <base64(user:password)>` when the URL carried credentials; for the URL's origin only. */
  authorization: string | undefined;
  /** The URL as it may be printed: password and query tokens masked. */
  display: string;
}

/** Throws a masked error (not fetch's, which quotes the URL) when `url` is not an http(s) URL. */
export function downloadTarget(url: string): DownloadTarget {
  const server = parseServerUrl(url);
  if (!URL.canParse(server.url) || !/^https?:$/.test(new URL(server.url).protocol)) {
    throw new Error(`${server.display} is not an http(s) URL`);
  }
  return { url: server.url, authorization: server.basicAuthorization, display: server.display };
}

export interface DownloadRequest {
  target: DownloadTarget;
  /** Sent on every hop (Range). */
  headers?: Record<string, string>;
  method?: "GET" | "HEAD";
  fetch: typeof fetch;
  signal?: AbortSignal;
}

export interface DownloadResponse {
  response: Response;
  /** The URL that finally answered; may hold a token (a presigned CDN URL): `maskUrl` it to print. */
  finalUrl: string;
  /** The file's size as a hop stated it (`X-Linked-Size`), if one did. */
  linkedSize: number | undefined;
  /** A SHA-256 a hop stated (`X-Linked-Etag` holding 64 hex digits), if one did. */
  linkedSha256: string | undefined;
  /** The request that got this response carried the URL's credentials (it went to their origin). */
  sentAuthorization: boolean;
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

export async function requestDownload(request: DownloadRequest): Promise<DownloadResponse> {
  const { target } = request;
  const origin = new URL(target.url).origin;
  let current = target.url;
  // Dropped for good at the first hop to another origin, so no later hop can send it back out.
  let authorization = target.authorization;
  let linkedSize: number | undefined;
  let linkedSha256: string | undefined;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    if (new URL(current).origin !== origin) authorization = undefined;
    const headers = {
      ...request.headers,
      ...(authorization === undefined ? {} : { authorization }),
    };
    const response = await request.fetch(current, {
      method: request.method ?? "GET",
      headers,
      redirect: "manual",
      signal: request.signal,
    });
    linkedSize ??= parseHeader(sizeHeader, response.headers.get("x-linked-size"));
    linkedSha256 ??= parseHeader(sha256Header, response.headers.get("x-linked-etag"));
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      current = redirectTarget(location, current, target.display);
      continue;
    }
    const sentAuthorization = authorization !== undefined;
    return { response, finalUrl: current, linkedSize, linkedSha256, sentAuthorization };
  }
  throw new RedirectError(`${target.display} redirects more than ${maxRedirects} times`);
}

/** The redirects lead nowhere usable; the message is masked and complete (no cause to add). */
export class RedirectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedirectError";
  }
}

/**
 * The next hop's URL. Not `new URL`'s own error: it quotes the Location and the current URL (its
 * `input` and `base` fields), tokens and all. A Location with credentials is not followed: fetch
 * would refuse it with the URL in the message, and troupe sends no password it was not given.
 */
function redirectTarget(location: string, current: string, display: string): string {
  if (!URL.canParse(location, current)) {
    throw new RedirectError(`${display} redirects to an address that is not a URL: ${maskUrl(location)}`);
  }
  const next = new URL(location, current);
  if (next.username !== "" || next.password !== "") {
    throw new RedirectError(
      `${display} redirects to a URL with a user name and password: ${maskUrl(next.href)}`,
    );
  }
  return next.toString();
}

/**
 * `error` when nothing in it quotes a URL secret; else a plain Error that says the same, masked,
 * in place of the whole chain (its fields and stack would repeat the secret).
 */
export function maskedCause(error: unknown): unknown {
  if (!revealsUrlSecret(error, 0)) return error;
  const replacement = new Error(describeError(error));
  replacement.name = error instanceof Error ? error.name : "Error";
  return replacement;
}

function revealsUrlSecret(value: unknown, depth: number): boolean {
  if (typeof value === "string") return maskUrlsIn(value) !== value;
  if (typeof value !== "object" || value === null || depth > 4) return false;
  if (
    value instanceof Error &&
    (revealsUrlSecret(value.message, depth) || revealsUrlSecret(value.stack, depth))
  )
    return true;
  if (value instanceof Error && revealsUrlSecret(value.cause, depth + 1)) return true;
  return Object.values(value).some((field) => revealsUrlSecret(field, depth + 1));
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
