/**
 * Turning a backend failure into a few readable words for a StoreError message or a log line.
 */

/** Words for the error codes people meet when a store is misconfigured or down. */
const PLAIN_WORDS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a parent of the path is not a directory",
  EEXIST: "a file is in the way",
  EISDIR: "the path is a directory",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  SQLITE_CANTOPEN: "cannot open the file",
  SQLITE_READONLY: "the file is read-only",
  SQLITE_NOTADB: "the file is not an SQLite database",
  SQLITE_CORRUPT: "the database file is corrupt",
  SQLITE_BUSY: "the database is locked by another process",
};

function codeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}

/** The error's own message; an AggregateError (a refused dual-stack connect) has an empty one. */
export function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.message === "") {
    return error.errors.map(errorText).join("; ") || "unknown error";
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** "connection refused (connect ECONNREFUSED 127.0.0.1:6390)", or the bare message when no code is known. */
export function describeFailure(error: unknown): string {
  const text = errorText(error);
  const code = codeOf(error) ?? codeOf(error instanceof AggregateError ? error.errors[0] : undefined);
  const words =
    (code === undefined ? undefined : PLAIN_WORDS[code]) ??
    (/WRONGPASS|NOAUTH|invalid password/i.test(text) ? "authentication failed" : undefined) ??
    (error instanceof Error && error.name === "ConnectionTimeoutError" ? "connection timed out" : undefined);
  return words === undefined ? text : `${words} (${text})`;
}
