import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { ModelError } from "../chat-model.js";
import { parseRetryAfter } from "../retry-after.js";
import { describeError, mentionsContextOverflow, mentionsOverload } from "../server-error-text.js";

export interface OpenAIFailure {
  model: string;
  baseURL: string;
  idleTimeoutMs: number;
  /** Our idle timer aborted the request (the SDK then reports a user abort, or ends quietly). */
  idleTimedOut: boolean;
}

export function toOpenAIError(error: unknown, failure: OpenAIFailure): ModelError {
  const cause = { cause: error };
  if (failure.idleTimedOut) {
    return new ModelError("timeout", `the server sent nothing for ${failure.idleTimeoutMs} ms`, cause);
  }
  // Subclass before class: a connection timeout is also an APIConnectionError.
  if (error instanceof APIConnectionTimeoutError) {
    return new ModelError("timeout", `the server at ${failure.baseURL} did not answer in time`, cause);
  }
  if (error instanceof APIConnectionError) {
    return new ModelError("unavailable", `cannot reach ${failure.baseURL}: ${describeError(error)}`, cause);
  }
  if (error instanceof APIError) {
    if (error.status === undefined) {
      // A `data: {"error": …}` event under HTTP 200: the SDK throws it mid-stream with no status.
      const code = mentionsOverload(error.message) ? "unavailable" : "bad-response";
      return new ModelError(code, `the server failed mid-stream: ${error.message}`, cause);
    }
    return fromStatus(error, failure);
  }
  if (error instanceof TypeError) {
    // undici fails the body with `TypeError: terminated` when the socket closes mid-stream.
    return new ModelError(
      "bad-response",
      `the connection dropped mid-stream: ${describeError(error)}`,
      cause,
    );
  }
  return new ModelError("bad-response", `unreadable answer from the server: ${describeError(error)}`, cause);
}

function fromStatus(error: APIError, failure: OpenAIFailure): ModelError {
  const status = error.status;
  const options = { cause: error, status };
  const text = error.message;
  if (status === 429) {
    return new ModelError("rate-limited", `the server is rate limiting: ${text}`, {
      ...options,
      retryAfterMs: parseRetryAfter(error.headers),
    });
  }
  if (status === 404 || error.code === "model_not_found") {
    return new ModelError(
      "model-missing",
      `model "${failure.model}" was not found at ${failure.baseURL} (${text}); check the model name and OPENAI_BASE_URL`,
      options,
    );
  }
  if (
    status === 400 &&
    (error.code === "context_length_exceeded" ||
      error.type === "exceed_context_size_error" ||
      mentionsContextOverflow(text))
  ) {
    return new ModelError("context-overflow", `the prompt does not fit the context: ${text}`, options);
  }
  if (status === 401 || status === 403) {
    return new ModelError(
      "bad-response",
      `the server refused the credentials (${text}): check OPENAI_API_KEY`,
      options,
    );
  }
  if (status !== undefined && status >= 500) {
    return new ModelError("unavailable", `the server failed: ${text}`, options);
  }
  return new ModelError("bad-response", `the server rejected the request: ${text}`, options);
}
