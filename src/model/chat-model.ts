/**
 * The contract every model provider meets: one base model, streamed.
 * Core depends on this file only, never on a provider or an SDK.
 */

export type ChatRole = "system" | "user" | "assistant";

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** Sampling settings; a persona supplies them, the provider maps them to its wire names. */
export interface SamplingOptions {
  temperature?: number;
  topP?: number;
  /** Upper bound on generated tokens (Ollama `num_predict`, OpenAI `max_tokens`). */
  maxTokens?: number;
  stop?: string[];
}

export interface ChatRequest extends SamplingOptions {
  messages: ChatMessage[];
  /** A derived model over the same base (persona `model`); the provider's default otherwise. */
  model?: string;
  /**
   * A LoRA adapter GGUF file (persona `adapter`): the embedded engine applies it over the base;
   * Ollama needs it compiled into a model (`npm run persona -- compile`), the others ignore it.
   */
  adapter?: string;
}

export interface TokenUsage {
  promptTokens?: number;
  completionTokens?: number;
}

export type FinishReason = "stop" | "length" | "other";

export type ChatPart =
  | { type: "text-delta"; text: string }
  | { type: "finish"; reason: FinishReason; usage: TokenUsage };

export interface StreamOptions {
  signal?: AbortSignal;
}

export type ModelHealth =
  | { ok: true; model: string }
  | { ok: false; code: ModelErrorCode; message: string; hint: string };

export interface ChatModel {
  /** Provider and model, for logs: `ollama:llama3.2`. */
  readonly description: string;
  /**
   * Yields `text-delta` parts then exactly one `finish` part. Throws `ModelError` on failure.
   * Aborting `signal` ends the stream early: it returns without a `finish` part and without throwing.
   */
  stream(request: ChatRequest, options?: StreamOptions): AsyncIterable<ChatPart>;
  /** Is the server up and the model there? Never throws. */
  check(): Promise<ModelHealth>;
}

export type ModelErrorCode =
  /** The server refused troupe's credentials (HTTP 401/403): a setting to fix, never retried. */
  | "unauthorized"
  | "unavailable"
  | "rate-limited"
  | "timeout"
  | "context-overflow"
  | "model-missing"
  | "bad-response";

/**
 * A model failure. Its message says what troupe makes of it and never repeats the `cause`'s own
 * words: the log's error serializer appends every cause's message to the line, and
 * `describeError` does the same for text shown to people.
 */
export class ModelError extends Error {
  readonly code: ModelErrorCode;
  /** Server-suggested wait before retrying (Retry-After), when it gave one. */
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(
    code: ModelErrorCode,
    message: string,
    options: { cause?: unknown; retryAfterMs?: number; status?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ModelError";
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

export function isModelError(error: unknown): error is ModelError {
  return error instanceof ModelError;
}
