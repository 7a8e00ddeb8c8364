/**
 * What a failed call to an OpenAI-compatible server means, as a ModelError. Each message says what
 * troupe makes of the failure and where it was talking to (the URL masked); the SDK's own words stay
 * in `cause`, which the log line and `describeError` append, so they are never said twice.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { ModelError } from "../chat-model.js";
import { parseRetryAfter } from "../retry-after.js";
import { mentionsContextOverflow, mentionsOverload } from "../server-error-text.js";

/** Which credentials went with the request: they decide which setting a refusal asks to fix. */
export type SentCredentials = "api-key" | "url" | "none";

export interface OpenAIFailure {
  model: string;
  /** OPENAI_BASE_URL as it may be printed (password and query tokens masked). */
  baseURL: string;
  credentials: SentCredentials;
  idleTimeoutMs: number;
  /** Our idle timer aborted the request (the SDK then reports a user abort, or ends quietly). */
  idleTimedOut: boolean;
}

/** A 401/403, worded for the credentials that were sent. Shared by the stream and the start-up check. */
export function refusedCredentials(
  baseURL: string,
  status: number,
  credentials: SentCredentials,
): { message: string; hint: string } {
  if (credentials === "api-key") {
    return {
      message: `the server at ${baseURL} refused OPENAI_API_KEY (HTTP ${status})`,
      hint: "check OPENAI_API_KEY (a valid key for this server, with access to the model)",
    };
  }
  if (credentials === "url") {
    return {
      message: `the server at ${baseURL} refused the user name and password in OPENAI_BASE_URL (HTTP ${status})`,
      hint: "correct the user name and password in OPENAI_BASE_URL, or set OPENAI_API_KEY",
    };
  }
  return {
    message: `the server at ${baseURL} asks for a key (HTTP ${status}) and OPENAI_API_KEY is not set`,
    hint: "set OPENAI_API_KEY",
  };
}

export function isRefusal(status: number | undefined): status is 401 | 403 {
  return status === 401 || status === 403;
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
    return new ModelError("unavailable", `cannot reach ${failure.baseURL}`, cause);
  }
  if (error instanceof APIError) {
    if (error.status === undefined) {
      // A `data: {"error": …}` event under HTTP 200: the SDK throws it mid-stream with no status.
      const code = mentionsOverload(error.message) ? "unavailable" : "bad-response";
      return new ModelError(code, "the server failed mid-stream", cause);
    }
    return fromStatus(error, failure);
  }
  if (error instanceof TypeError) {
    // undici fails the body with `TypeError: terminated` when the socket closes mid-stream.
    return new ModelError("bad-response", "the connection dropped mid-stream", cause);
  }
  return new ModelError("bad-response", "unreadable answer from the server", cause);
}

function fromStatus(error: APIError, failure: OpenAIFailure): ModelError {
  const status = error.status;
  const options = { cause: error, status };
  const text = error.message;
  if (isRefusal(status)) {
    const refused = refusedCredentials(failure.baseURL, status, failure.credentials);
    return new ModelError("unauthorized", `${refused.message}: ${refused.hint}`, options);
  }
  if (status === 429) {
    return new ModelError("rate-limited", "the server is rate limiting", {
      ...options,
      retryAfterMs: parseRetryAfter(error.headers),
    });
  }
  if (status === 404 || error.code === "model_not_found") {
    return new ModelError(
      "model-missing",
      `model "${failure.model}" was not found at ${failure.baseURL}: check the model name and OPENAI_BASE_URL`,
      options,
    );
  }
  if (
    status === 400 &&
    (error.code === "context_length_exceeded" ||
      error.type === "exceed_context_size_error" ||
      mentionsContextOverflow(text))
  ) {
    return new ModelError("context-overflow", "the prompt does not fit the context", options);
  }
  // The SDK's message starts with the status ("500 The server had an error…"): not repeated here.
  if (status !== undefined && status >= 500)
    return new ModelError("unavailable", "the server failed", options);
  return new ModelError("bad-response", "the server rejected the request", options);
}
