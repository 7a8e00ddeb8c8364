/**
 * What a failed Ollama call means, as a ModelError. Each message says what troupe makes of the
 * failure and where it was talking to (the URL masked); the client's own words stay in `cause`,
 * which the log line and `describeError` append, so they are never said twice.
 */
import { ModelError } from "../chat-model.js";
import { describeError, mentionsContextOverflow, mentionsOverload } from "../server-error-text.js";
import { OllamaStreamError } from "./ollama-chat-wire.js";

/** What the stream knew when it failed: the thrown value alone cannot tell these apart. */
export interface OllamaFailure {
  model: string;
  /** OLLAMA_HOST as it may be printed (password masked). */
  host: string;
  /** OLLAMA_HOST carried a user name and password, sent as basic auth. */
  sentCredentials: boolean;
  idleTimeoutMs: number;
  requestTimeoutMs: number | undefined;
  /** Our idle timer aborted the request. */
  idleTimedOut: boolean;
  /** The wait for response headers ran out. */
  headersTimedOut: boolean;
  /** Response headers had arrived (a failure after this happened mid-stream). */
  responded: boolean;
  /** From the failed response's Retry-After header. */
  retryAfterMs: number | undefined;
}

/** The ollama client's `ResponseError` (not exported by the package): `{ error, status_code }`. */
export function responseStatus(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== "ResponseError") return undefined;
  const status: unknown = Reflect.get(error, "status_code");
  return typeof status === "number" ? status : undefined;
}

export function isRefusal(status: number): boolean {
  return status === 401 || status === 403;
}

/**
 * A 401/403: Ollama itself has no authentication, so this is a reverse proxy in front of it, and the
 * fix is the user name and password in OLLAMA_HOST. Shared by the stream and the start-up check.
 */
export function refusedCredentials(
  host: string,
  status: number,
  sentCredentials: boolean,
): { message: string; hint: string } {
  return sentCredentials
    ? {
        message: `the server at ${host} refused the user name and password in OLLAMA_HOST (HTTP ${status})`,
        hint: "correct the user name and password in OLLAMA_HOST (user:password@ before the host)",
      }
    : {
        message: `the server at ${host} asks for credentials (HTTP ${status}) and OLLAMA_HOST has none`,
        hint: "put the user name and password in OLLAMA_HOST (user:password@ before the host)",
      };
}

export function toOllamaError(error: unknown, failure: OllamaFailure): ModelError {
  const cause = { cause: error };
  if (failure.headersTimedOut) {
    return new ModelError("timeout", `Ollama did not answer within ${failure.requestTimeoutMs} ms`, cause);
  }
  if (failure.idleTimedOut) {
    return new ModelError("timeout", `Ollama sent nothing for ${failure.idleTimeoutMs} ms`, cause);
  }
  const status = responseStatus(error);
  if (status !== undefined) return fromStatus(status, describeError(error), failure, error);
  if (!failure.responded) {
    // The request failed before any headers: ECONNREFUSED, ENOTFOUND, a reset, …
    return new ModelError("unavailable", `cannot reach Ollama at ${failure.host}`, cause);
  }
  if (error instanceof OllamaStreamError) {
    // An NDJSON `{"error": "..."}` line sent under HTTP 200: the server's own words.
    const code = mentionsOverload(describeError(error)) ? "unavailable" : "bad-response";
    return new ModelError(code, "Ollama failed mid-stream", cause);
  }
  // Anything else failed the body after the headers: undici's socket error as the connection
  // closed or reset mid-stream.
  return new ModelError("bad-response", "the connection to Ollama dropped mid-stream", cause);
}

function fromStatus(status: number, text: string, failure: OllamaFailure, error: unknown): ModelError {
  const options = { cause: error, status };
  if (isRefusal(status)) {
    const refused = refusedCredentials(failure.host, status, failure.sentCredentials);
    return new ModelError("unauthorized", `${refused.message}: ${refused.hint}`, options);
  }
  // Ollama's own wording is `model "x" not found, try pulling it first`; a bare "404 page not found"
  // means OLLAMA_HOST points at something that is not Ollama (or at the wrong path).
  if (status === 404 && /model/i.test(text)) {
    return new ModelError(
      "model-missing",
      `model "${failure.model}" is not on the Ollama server: run \`ollama pull ${failure.model}\``,
      options,
    );
  }
  if (status === 404) {
    return new ModelError(
      "bad-response",
      `${failure.host} has no /api/chat: is OLLAMA_HOST an Ollama server?`,
      options,
    );
  }
  if (status === 429) {
    return new ModelError("rate-limited", "Ollama is rate limiting", {
      ...options,
      retryAfterMs: failure.retryAfterMs,
    });
  }
  if (status >= 500) return new ModelError("unavailable", `Ollama answered HTTP ${status}`, options);
  if (status === 400 && mentionsContextOverflow(text)) {
    return new ModelError("context-overflow", "the prompt does not fit the context", options);
  }
  return new ModelError("bad-response", `Ollama rejected the request (HTTP ${status})`, options);
}
