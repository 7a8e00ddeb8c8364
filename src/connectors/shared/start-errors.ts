/**
 * Why a platform did not start, in the two ways start-up must tell apart. Unreachable: no answer
 * (refused, no such host, a timeout) or the platform's own outage (5xx); the token may be fine, so
 * start-up tries again for a while and never blames it. Refused: the platform answered and turned a
 * credential down; retrying cannot help, and the message names the variable. Each connector turns
 * its library's errors into one of these; anything else stays as it was thrown.
 */

export class PlatformUnreachableError extends Error {
  constructor(
    /** The platform's name as people say it: "Discord", "Slack". */
    readonly platform: string,
    /** Where troupe tried to reach it, masked for printing. */
    readonly url: string,
    /** What went wrong, short: `connect ECONNREFUSED 127.0.0.1:443`, `HTTP 502`. */
    readonly reason: string,
    /** The variable that sets `url`, for the fix. */
    readonly urlVariable: string,
    options?: { cause?: unknown },
  ) {
    super(`could not reach ${platform} at ${url} (${reason})`, options);
    this.name = "PlatformUnreachableError";
  }
}

export class PlatformRefusedError extends Error {
  /** `message` names the variable and what the platform said. */
  constructor(
    readonly variable: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PlatformRefusedError";
  }
}

/** Node's and undici's codes for "no answer": the connection, the name lookup, a timeout. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

/** A request given up on for taking too long (AbortSignal.timeout, a client's own deadline). */
const TIMEOUT_NAMES = new Set(["AbortError", "TimeoutError"]);

/**
 * The network failure somewhere in an error's causes, as short text (the message of the error that
 * carries the code), or undefined when the error is not a network failure. Walks `cause`, the
 * Slack SDK's `original`, and an AggregateError's `errors` (a refused dual-stack connect).
 */
export function networkFailure(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 20) {
    const current = queue.shift();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    const { code, name, message, cause, original, errors } = current as Record<string, unknown>;
    if (typeof code === "string" && NETWORK_CODES.has(code)) {
      return typeof message === "string" && message !== "" ? message : code;
    }
    if (typeof name === "string" && TIMEOUT_NAMES.has(name)) return "no answer in time (timed out)";
    queue.push(cause, original, ...(Array.isArray(errors) ? errors : []));
  }
  return undefined;
}
