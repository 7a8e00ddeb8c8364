/**
 * The one undici Agent (keep-alive connection pools, one per origin) that troupe's own HTTP calls
 * share: the model stream (ollama-chat-wire.ts) and the Slack Web API (pooled-fetch.ts); and its
 * replies' headers in the `Headers` shape the rest of troupe reads.
 *
 * Loaded on first use, not at start-up: undici is a large module, and start-up time is one of the
 * figures `npm run bench -- lean` holds troupe to; the first answer pays for it instead.
 */
import type { Dispatcher } from "undici";

let pool: Promise<Dispatcher> | undefined;

export function httpPool(): Promise<Dispatcher> {
  // undici is CommonJS: its exports object is the namespace's `default`, both in Node and in the
  // bundle (where esbuild gives a CommonJS chunk's exports no named bindings).
  pool ??= import("undici").then((undici) => new undici.default.Agent());
  return pool;
}

/** A reply's headers as undici gives them (lower-case names, repeated ones as arrays), as `Headers`. */
export function fetchHeaders(headers: Record<string, string | string[] | undefined>): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const one of value) result.append(name, one);
    else result.append(name, value);
  }
  return result;
}
