/**
 * The streamed `POST /api/chat` on the wire: one fetch, then the NDJSON body line by line.
 *
 * Why not the ollama client, which does this: per streamed call it builds an AbortController of
 * its own (so ours had to be linked in, an AbortSignal.any per request), re-parses the host URL and
 * rebuilds its headers, and passes every line through two async generators; the answer path's
 * model layer cost more than a bare client loop for it (`npx tsx bench/stream-path.ts model`).
 * Here the request carries our signal alone and each line costs one await. The client is still
 * used for everything else (the start-up check, `persona compile`). What the client did is kept:
 * an error status becomes a `ResponseError` with `status_code` and the server's `error` words
 * (a proxy's non-JSON page as json-error-bodies.ts words it), an `{"error": …}` line throws its
 * words, the stream ends at `done: true`. A line that is not JSON is skipped, as the client did,
 * but without its console.warn (standard output carries the terminal chat's answers).
 */
import { z } from "zod";
import { errorBodyWords } from "./json-error-bodies.js";

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

export interface ChatWire {
  /** `<host>/api/chat`, the host without credentials. */
  url: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
}

/** What the call learnt, for the error mapping: set as it goes, read after a failure. */
export interface ChatCallState {
  response: Response | undefined;
  headersTimedOut: boolean;
}

export function chatWire(host: string, authorization: string | undefined, fetchImpl: typeof fetch): ChatWire {
  const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
  if (authorization !== undefined) headers.Authorization = authorization;
  return { url: `${host.replace(/\/+$/, "")}/api/chat`, headers, fetch: fetchImpl };
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
  let response: Response;
  try {
    // The JSON's UTF-8 bytes: given the string, fetch would first copy it to make it well-formed,
    // then encode it; JSON.stringify has already escaped any lone surrogate.
    response = await wire.fetch(wire.url, {
      method: "POST",
      headers: wire.headers,
      body: Buffer.from(JSON.stringify(body)),
      signal: requestSignal,
    });
  } finally {
    clearTimeout(timer);
  }
  state.response = response;
  if (!response.ok) throw new OllamaResponseError(await errorMessage(response), response.status);
  if (response.body === null) throw new Error("Missing body");
  return new NdjsonLines(response.body.getReader());
}

/** The ollama client's words for an error status: the JSON body's `error`, else the status line. */
async function errorMessage(response: Response): Promise<string> {
  const fallback = `Error ${response.status}: ${response.statusText}`;
  if (response.headers.get("content-type")?.includes("application/json")) {
    try {
      const parsed: unknown = await response.json();
      const error = typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "error") : undefined;
      return typeof error === "string" && error !== "" ? error : fallback;
    } catch {
      return fallback;
    }
  }
  return errorBodyWords(response);
}

/** The body's JSON lines, one `next()` each: parsed a read at a time, handed out from a queue. */
export class NdjsonLines {
  private readonly decoder = new TextDecoder();
  private readonly queue: OllamaChatChunk[] = [];
  private head = 0;
  private buffer = "";
  private ended = false;

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** The next line, or undefined once the body ended. Rejects as the body fails (cut, abort). */
  async next(): Promise<OllamaChatChunk | undefined> {
    while (this.head === this.queue.length) {
      if (this.ended) return undefined;
      this.queue.length = 0;
      this.head = 0;
      const { done, value } = await this.reader.read();
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
