/**
 * The one undici Agent (keep-alive connection pools, one per origin) that troupe's own HTTP calls
 * share: the model stream (ollama-chat-wire.ts) and the Slack Web API (pooled-fetch.ts).
 *
 * Loaded on first use, not at start-up: undici is a large module, and start-up time is one of the
 * figures `npm run bench -- lean` holds troupe to; the first answer pays for it instead.
 */
import type { Dispatcher } from "undici";

let pool: Promise<Dispatcher> | undefined;

export function httpPool(): Promise<Dispatcher> {
  pool ??= import("undici").then(({ Agent }) => new Agent());
  return pool;
}
