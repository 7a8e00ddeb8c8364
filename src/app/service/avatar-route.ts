/**
 * `GET|HEAD /avatars/<file>`: the personas' pictures in PERSONAS_DIR/avatars, for Discord and Slack,
 * which show a picture by URL only (PUBLIC_URL names where they reach it). Served by the service
 * endpoints (METRICS_PORT) and, in Slack's HTTP mode, by Bolt's receiver on PORT.
 *
 * What a stranger on the internet may fetch is kept to that one folder's pictures: the name must be
 * a plain file name (after decoding, so `..%2F` is refused) with a picture's extension, and it is
 * read the way persona files are (persona-entry.ts: a regular file inside the folder after links,
 * never a FIFO; read-capped.ts: the opened file is the checked one, never more than the cap).
 * Everything else is the same plain 404, so the reply says nothing about what else is on disk.
 * A short max-age with an ETag lets a platform's image proxy revalidate a changed picture soon.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { basename, join } from "node:path";
import type { Config } from "../../config.js";
import type { Logger } from "../../lib/logger.js";
import { AVATARS_DIR_NAME, avatarContentType } from "../../personas/persona-avatar.js";
import { inspectPersonaEntry } from "../../personas/persona-entry.js";
import { readCappedBytes } from "../../personas/read-capped.js";

/** The largest picture served: Discord takes avatars up to 8 MB, a persona's face needs far less. */
export const AVATAR_MAX_BYTES = 8 * 1024 * 1024;
/** Seconds a platform's proxy may keep a picture before asking again (with If-None-Match). */
const MAX_AGE_SECONDS = 300;
export const AVATAR_PATH_PREFIX = "/avatars/";

export interface AvatarRouteOptions {
  /** PERSONAS_DIR/avatars. */
  avatarsDir: string;
  logger: Logger;
  maxBytes?: number;
}

export type AvatarHandler = (request: IncomingMessage, response: ServerResponse) => void;

export function isAvatarPath(path: string): boolean {
  return path.startsWith(AVATAR_PATH_PREFIX);
}

/** PERSONAS_DIR/avatars, served where PUBLIC_URL says platforms find it. */
export function avatarHandler(config: Pick<Config, "PERSONAS_DIR">, logger: Logger): AvatarHandler {
  return createAvatarHandler({ avatarsDir: join(config.PERSONAS_DIR, AVATARS_DIR_NAME), logger });
}

/** Answers any request whose path starts with /avatars/; never throws, never rejects. */
export function createAvatarHandler(options: AvatarRouteOptions): AvatarHandler {
  const maxBytes = options.maxBytes ?? AVATAR_MAX_BYTES;
  return (request, response) => {
    request.resume();
    serve(request, response, options.avatarsDir, maxBytes).catch((error: unknown) => {
      options.logger.error({ err: error, url: request.url }, "serving a persona's picture failed");
      if (!response.headersSent) plain(response, 500, "internal error\n");
      else response.end();
    });
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  avatarsDir: string,
  maxBytes: number,
): Promise<void> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return plain(response, 405, "method not allowed\n", { allow: "GET, HEAD" });
  }
  const fileName = requestedFileName(request.url ?? "/");
  const contentType = fileName === undefined ? undefined : avatarContentType(fileName);
  if (fileName === undefined || contentType === undefined) return notFound(response);
  const entry = await inspectPersonaEntry(avatarsDir, fileName);
  if (entry.kind !== "file") return notFound(response);
  const read = await readCappedBytes(entry.path, entry.stats, maxBytes);
  if (read.kind !== "bytes") return notFound(response);
  const etag = `"${createHash("sha256").update(read.bytes).digest("base64url").slice(0, 27)}"`;
  const headers = {
    "content-type": contentType,
    "cache-control": `public, max-age=${MAX_AGE_SECONDS}`,
    etag,
    "last-modified": entry.stats.mtime.toUTCString(),
    "x-content-type-options": "nosniff",
  };
  if (request.headers["if-none-match"] === etag) {
    response.writeHead(304, headers);
    return void response.end();
  }
  response.writeHead(200, { ...headers, "content-length": read.bytes.length });
  response.end(request.method === "HEAD" ? undefined : read.bytes);
}

/** The decoded file name after /avatars/, or undefined when it is not one plain name. */
function requestedFileName(url: string): string | undefined {
  const path = new URL(url, "http://troupe").pathname;
  if (!isAvatarPath(path)) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(path.slice(AVATAR_PATH_PREFIX.length));
  } catch {
    return undefined;
  }
  const plainName =
    name !== "" && name !== "." && name !== ".." && basename(name) === name && !/[\\/\0]/.test(name);
  return plainName && !name.startsWith(".") ? name : undefined;
}

function notFound(response: ServerResponse): void {
  plain(response, 404, "not found\n");
}

function plain(response: ServerResponse, status: number, body: string, extra = {}): void {
  response.writeHead(status, { "content-type": "text/plain", "cache-control": "no-store", ...extra });
  response.end(body);
}
