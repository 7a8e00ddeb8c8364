/**
 * The streamed `POST /api/chat` on the wire: one `undici.request`, then the NDJSON body line by line.
 *
 * Why not the ollama client, which does this: per streamed call it builds an AbortController of
 * its own (so ours had to be linked in, an AbortSignal.any per request), re-parses the host URL and
 * rebuilds its headers, and passes every line through two async generators. Why not `fetch` either:
 * a WHATWG Request, Headers, Response and ReadableStream per call, the body sent as a stream, cost
 * about 0.5 ms of CPU a call more than undici's own `request` on the same connection pool (a
 * loopback micro-benchmark: ~1,020 against ~480 µs a streamed call, the fake server included;
 * `npx tsx bench/stream-path.ts model` puts this layer beside the ollama client's fetch loop), as
 * much as all of troupe's answer logic. undici is Node's
 * own HTTP client, the library `fetch` is built on. The ollama client is still used for everything
 * else (the start-up check, `persona compile`). What the client did is kept: an error status
 * becomes a `ResponseError` with `status_code` and the server's `error` words (a proxy's non-JSON
 * page as json-error-bodies.ts words it), an `{"error": …}` line throws its words, the stream ends
 * at `done: true`. A line that is not JSON is skipped, as the client did, but without its
 * console.warn (standard output carries the terminal chat's answers).
 */
import { STATUS_CODES } from "node:http";
import type { Dispatcher } from "undici";
import { z } from "zod";
import { fetchHeaders, httpPool } from "../../lib/http-pool.js";
import type { HeaderReader } from "../retry-after.js";
import { bodyWords } from "./json-error-bodies.js";

/**
 * A streamed line of /api/chat: the fields troupe reads, checked (model output is outside data).
 * Other fields pass unread. A line of another shape is skipped like a line that is not JSON: a
 * stream that never says `done: true` then ends as "the stream ended early".
 */
const chatChunkSchema = z.object({
  message: z.object({ content: z.string().optional() }).optional(),
  done: z.boolean().optional(),
  done_reason: z.string().optional(),
  prompt_eval_count: z.number().optional(),
  eval_count: z.number().optional(),
  error: z.string().optional(),
});

export type OllamaChatChunk = z.infer<typeof chatChunkSchema>;

/** An error status, shaped as the ollama client's own (ollama-errors.ts reads `status_code`). */
export class OllamaResponseError extends Error {
  readonly status_code: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = "ResponseError";
    this.status_code = status;
  }
}

/** An `{"error": …}` line sent under HTTP 200: the server failed mid-stream, and says why. */
export class OllamaStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OllamaStreamError";
  }
}

export interface ChatWire {
  /** The host's origin, without credentials: `http://127.0.0.1:11434`. */
  origin: string;
  /** `<the host's path>/api/chat`. */
  path: string;
  headers: Record<string, string>;
}

/** What the call learnt, for the error mapping: set as it goes, read after a failure. */
export interface ChatCallState {
  /** The response's status, once its headers arrived. */
  status: number | undefined;
  /** An error response's headers (Retry-After). */
  headers: HeaderReader | undefined;
  headersTimedOut: boolean;
}

export function chatWire(host: string, authorization: string | undefined): ChatWire {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (authorization !== undefined) headers.authorization = authorization;
  // Parsed once here: undici's top-level request() would parse the URL again on every call.
  const url = new URL(`${host.replace(/\/+$/, "")}/api/chat`);
  return { origin: url.origin, path: url.pathname, headers };
}

/**
 * Sends the request and resolves with its lines once the headers are in (an error status throws).
 * `headersTimeoutMs` bounds the wait for the headers alone.
 */
export async function openChatStream(
  wire: ChatWire,
  body: unknown,
  signal: AbortSignal,
  headersTimeoutMs: number | undefined,
  state: ChatCallState,
): Promise<NdjsonLines> {
  let timer: NodeJS.Timeout | undefined;
  let requestSignal = signal;
  if (headersTimeoutMs !== undefined) {
    const headersDeadline = new AbortController();
    requestSignal = AbortSignal.any([signal, headersDeadline.signal]);
    timer = setTimeout(() => {
      state.headersTimedOut = true;
      headersDeadline.abort();
    }, headersTimeoutMs);
  }
  let response: Dispatcher.ResponseData;
  try {
    // The shared keep-alive pool: connections are reused across answers.
    response = await (await httpPool()).request({
      origin: wire.origin,
      path: wire.path,
      method: "POST",
      headers: wire.headers,
      body: JSON.stringify(body),
      signal: requestSignal,
    });
  } finally {
    clearTimeout(timer);
  }
  state.status = response.statusCode;
  if (response.statusCode < 200 || response.statusCode > 299) {
    // Read only here, on a failure: Retry-After for the error mapping, the content type below.
    const headers = fetchHeaders(response.headers);
    state.headers = headers;
    const text = await response.body.text().catch(() => "");
    throw new OllamaResponseError(errorMessage(response.statusCode, headers, text), response.statusCode);
  }
  return new NdjsonLines(response.body);
}

/** The ollama client's words for an error status: the JSON body's `error`, else the status line. */
function errorMessage(status: number, headers: HeaderReader, text: string): string {
  const statusText = STATUS_CODES[status] ?? "";
  const contentType = headers.get("content-type") ?? "";
  if (contentType.includes("application/json")) {
    try {
      const parsed: unknown = JSON.parse(text);
      const error = typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "error") : undefined;
      if (typeof error === "string" && error !== "") return error;
    } catch {
      // Falls through to the status line, as the client does.
    }
    return `Error ${status}: ${statusText}`;
  }
  return bodyWords(`${status} ${statusText}`.trim(), contentType, text);
}

/** The body as undici hands it out: a Node stream of bytes, which can be let go without reading. */
export interface ChatBody extends AsyncIterable<Uint8Array> {
  dump(): Promise<void>;
}

/** The body's JSON lines, one `next()` each: parsed a read at a time, handed out from a queue. */
export class NdjsonLines {
  private readonly decoder = new TextDecoder();
  private readonly reads: AsyncIterator<Uint8Array>;
  private readonly queue: OllamaChatChunk[] = [];
  private head = 0;
  private buffer = "";
  private ended = false;

  constructor(private readonly body: ChatBody) {
    this.reads = body[Symbol.asyncIterator]();
  }

  /** The next line, or undefined once the body ended. Rejects as the body fails (cut, abort). */
  async next(): Promise<OllamaChatChunk | undefined> {
    while (this.head === this.queue.length) {
      if (this.ended) return undefined;
      this.queue.length = 0;
      this.head = 0;
      const { done, value } = await this.reads.next();
      if (done) {
        this.ended = true;
        this.buffer += this.decoder.decode();
        this.take(this.buffer);
        this.buffer = "";
      } else {
        this.split(this.decoder.decode(value, { stream: true }));
      }
    }
    return this.queue[this.head++];
  }

  /** The next line if one is already read, without waiting for the body: undefined when none is. */
  ready(): OllamaChatChunk | undefined {
    return this.head < this.queue.length ? this.queue[this.head++] : undefined;
  }

  /**
   * Done with the lines (`done: true` came): whatever the server still sends is read and dropped,
   * so its connection goes back to the pool instead of waiting on an unread body.
   */
  release(): void {
    if (!this.ended) this.body.dump().catch(() => undefined);
  }

  private split(text: string): void {
    let newline = text.indexOf("\n");
    if (newline === -1) {
      this.buffer += text;
      return;
    }
    // The first line may continue what the last read left.
    this.take(this.buffer + text.slice(0, newline));
    let start = newline + 1;
    for (newline = text.indexOf("\n", start); newline !== -1; newline = text.indexOf("\n", start)) {
      this.take(text.slice(start, newline));
      start = newline + 1;
    }
    this.buffer = text.slice(start);
  }

  private take(line: string): void {
    if (line.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return; // Not JSON: skipped, as the client did (see the header).
    }
    const chunk = chatChunkSchema.safeParse(parsed);
    if (chunk.success) this.queue.push(chunk.data);
  }
}
