/**
 * Platform writes and rate-limit waits, counted where every request leaves the process: Node's
 * diagnostics channels, which undici (discord.js's REST client) and node:http (Slack's Web API
 * client) publish on. A request to a platform's API base with a writing method (POST, PUT, PATCH,
 * DELETE) is a platform write; an answer of 429 is a rate-limit wait (the platform's client waits
 * its Retry-After, then tries again). Watching the wire keeps every connector and its pacing free
 * of metrics code, and counts the writes the SDKs make on their own (retries) too.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { Platform } from "../../core/message.js";
import type { ServiceMetrics } from "./metrics.js";

/** A platform's API base: requests whose URL starts with it are that platform's. */
export interface PlatformApi {
  platform: Platform;
  baseUrl: string;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Slack's Web API is POST for reads too (users.info, conversations.replies): there a write is a
 * `chat.*` method (post, update, delete, stream) or the assistant thread status.
 */
function isWrite(platform: Platform, url: URL, method: string | undefined): boolean {
  if (!WRITE_METHODS.has((method ?? "").toUpperCase())) return false;
  if (platform !== "slack") return true;
  const apiMethod = url.pathname.split("/").at(-1) ?? "";
  return apiMethod.startsWith("chat.") || apiMethod === "assistant.threads.setStatus";
}

/** What undici publishes about a request (its own Request object, read duck-typed). */
interface UndiciRequest {
  origin?: string | URL;
  path?: string;
  method?: string;
}

/** Starts counting; returns the function that stops it. */
export function countPlatformRequests(apis: readonly PlatformApi[], metrics: ServiceMetrics): () => void {
  const bases = apis.map((api) => ({ platform: api.platform, base: new URL(api.baseUrl) }));

  function platformOf(url: URL): Platform | undefined {
    return bases.find(({ base }) => url.origin === base.origin && url.pathname.startsWith(base.pathname))
      ?.platform;
  }

  function undiciUrl(request: UndiciRequest): URL | undefined {
    if (request.origin === undefined) return undefined;
    try {
      return new URL(request.path ?? "/", request.origin);
    } catch {
      return undefined;
    }
  }

  function httpUrl(request: ClientRequest): URL | undefined {
    try {
      return new URL(request.path, `${request.protocol}//${request.host}`);
    } catch {
      return undefined;
    }
  }

  function count(url: URL | undefined, method: string | undefined, status: number | undefined): void {
    const platform = url === undefined ? undefined : platformOf(url);
    if (platform === undefined) return;
    if (status === undefined) {
      if (isWrite(platform, url as URL, method)) metrics.platformWrites.inc({ platform });
    } else if (status === 429) metrics.rateLimitWaits.inc({ platform });
  }

  const listeners: [string, (message: unknown) => void][] = [
    [
      "undici:request:create",
      (message) => {
        const { request } = message as { request: UndiciRequest };
        count(undiciUrl(request), request.method, undefined);
      },
    ],
    [
      "undici:request:headers",
      (message) => {
        const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
        count(undiciUrl(request), request.method, response.statusCode);
      },
    ],
    [
      "http.client.request.start",
      (message) => {
        const { request } = message as { request: ClientRequest };
        count(httpUrl(request), request.method, undefined);
      },
    ],
    [
      "http.client.response.finish",
      (message) => {
        const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
        count(httpUrl(request), request.method, response.statusCode);
      },
    ],
  ];
  for (const [channel, listener] of listeners) subscribe(channel, listener);
  return () => {
    for (const [channel, listener] of listeners) unsubscribe(channel, listener);
  };
}
