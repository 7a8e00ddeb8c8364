/**
 * The scripted behaviour of one chat request for the LLM fakes (Ollama and OpenAI-compatible),
 * its defaults (the echo), and the queue of them.
 */

/** How the fake answers one chat request. With none queued it echoes the last user message. */
export interface FakeReply {
  /** Answer text, one chunk per entry. Default: `echo: <last user message>` in chunks of 4 characters. */
  chunks?: string[];
  /** Reasoning sent before the answer (Ollama `message.thinking`, OpenAI `delta.reasoning_content`). */
  thinking?: string;
  /** Pause before each chunk. */
  delayMs?: number;
  /** Answer with this HTTP error status (in the server's own error format) instead of a stream. */
  status?: number;
  /** Error text for `status`, `errorLineAfter` or `vendorErrorAfter`; each has a realistic default. */
  error?: string;
  /** OpenAI error `code` for `status` (e.g. "context_length_exceeded"). */
  errorCode?: string;
  /** Sent as `Retry-After` (seconds) with `status`. */
  retryAfterSeconds?: number;
  /** Sent as `retry-after-ms` with `status` (OpenAI's non-standard header). */
  retryAfterMs?: number;
  /** Destroy the socket after this many answer chunks. */
  cutAfter?: number;
  /** Send this many answer chunks, then nothing, keeping the socket open until the fake closes. */
  stallAfter?: number;
  /** End the body cleanly after this many answer chunks, without the final done / finish / [DONE]. */
  endAfter?: number;
  /** Send an error line (Ollama `{"error":…}`, OpenAI `data: {"error":{…}}`) after this many chunks. */
  errorLineAfter?: number;
  /** OpenAI only: a vLLM-style `data: {"object":"error",…}` chunk after this many chunks. */
  vendorErrorAfter?: number;
  /** Never answer at all, not even headers. */
  noResponse?: boolean;
  /** `done_reason` / `finish_reason`. Default "stop", or "length" when the token limit cut the answer. */
  finishReason?: string;
  promptTokens?: number;
  completionTokens?: number;
}

export interface ChatTurn {
  role: string;
  content: string;
}

/** The reply the fake will actually stream, with defaults filled in. */
export interface PlannedReply {
  reply: FakeReply;
  chunks: string[];
  finishReason: string;
  promptTokens: number;
  completionTokens: number;
}

/**
 * Fills a reply's defaults. One chunk counts as one token, so a token limit (`num_predict`,
 * `max_tokens`) below the chunk count truncates the answer with reason "length", as a real server would.
 */
export function planReply(
  reply: FakeReply,
  messages: ChatTurn[],
  maxTokens: number | undefined,
): PlannedReply {
  let chunks = reply.chunks ?? echoChunks(messages);
  let finishReason = reply.finishReason ?? "stop";
  if (reply.finishReason === undefined && maxTokens !== undefined && maxTokens < chunks.length) {
    chunks = chunks.slice(0, Math.max(0, maxTokens));
    finishReason = "length";
  }
  const promptCharacters = messages.reduce((sum, message) => sum + message.content.length, 0);
  return {
    reply,
    chunks,
    finishReason,
    promptTokens: reply.promptTokens ?? Math.ceil(promptCharacters / 4),
    completionTokens: reply.completionTokens ?? chunks.length,
  };
}

export function echoText(messages: ChatTurn[]): string {
  const lastUser = messages.findLast((message) => message.role === "user");
  return `echo: ${lastUser?.content ?? ""}`;
}

export function echoChunks(messages: ChatTurn[]): string[] {
  return splitIntoChunks(echoText(messages), 4);
}

export function splitIntoChunks(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let index = 0; index < text.length; index += size) chunks.push(text.slice(index, index + size));
  return chunks;
}

/** Retry-After headers for a scripted error reply. */
export function retryHeaders(reply: FakeReply): Record<string, string> {
  const headers: Record<string, string> = {};
  if (reply.retryAfterSeconds !== undefined) headers["retry-after"] = String(reply.retryAfterSeconds);
  if (reply.retryAfterMs !== undefined) headers["retry-after-ms"] = String(reply.retryAfterMs);
  return headers;
}

/** The text of the last user message in a chat request body, whatever its shape ("" when none). */
export function lastUserText(body: unknown): string {
  const messages = typeof body === "object" && body !== null ? Reflect.get(body, "messages") : undefined;
  if (!Array.isArray(messages)) return "";
  const last = messages.findLast(
    (message: unknown) =>
      typeof message === "object" && message !== null && Reflect.get(message, "role") === "user",
  );
  const content: unknown = last === undefined ? undefined : Reflect.get(last, "content");
  return typeof content === "string" ? content : "";
}

/**
 * The behaviour queue: scripted replies first, then the first rule whose text is in the last user
 * message (`replyWhen`: a reply table for requests whose order is not the test's to decide, such as
 * an eval's answers and its judge's verdicts), then the default echo.
 */
export class ReplyQueue {
  readonly #queue: FakeReply[] = [];
  readonly #rules: { text: string; reply: FakeReply }[] = [];

  enqueue(...replies: FakeReply[]): void {
    this.#queue.push(...replies);
  }

  /** Every request whose last user message contains `text` gets `reply` (rules in the order added). */
  replyWhen(text: string, reply: FakeReply): void {
    this.#rules.push({ text, reply });
  }

  next(lastUserMessage = ""): FakeReply {
    const queued = this.#queue.shift();
    if (queued !== undefined) return queued;
    return this.#rules.find((rule) => lastUserMessage.includes(rule.text))?.reply ?? {};
  }

  get pending(): number {
    return this.#queue.length;
  }
}
