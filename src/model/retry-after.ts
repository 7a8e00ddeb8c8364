import { z } from "zod";

/** Anything with `get(name)`: the fetch `Headers` and the openai SDK's `error.headers`. */
export interface HeaderReader {
  get(name: string): string | null;
}

const seconds = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/)
  .transform(Number);

// Every HTTP date form starts with a day name ("Sun, 06 Nov 1994 …"); checking that keeps
// Date.parse from reading "-3" as the year 3 BC.
const httpDate = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}/)
  .transform(Date.parse)
  .refine((time) => !Number.isNaN(time));

/**
 * The server's requested wait, in milliseconds, or undefined when it gave none we can read.
 * `retry-after-ms` is non-standard (OpenAI sends it, the SDK prefers it); `Retry-After` is either
 * delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 */
export function parseRetryAfter(
  headers: HeaderReader | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const milliseconds = seconds.safeParse(headers.get("retry-after-ms") ?? "");
  if (milliseconds.success) return Math.round(milliseconds.data);

  const value = headers.get("retry-after");
  if (value === null) return undefined;
  const delta = seconds.safeParse(value);
  if (delta.success) return Math.round(delta.data * 1000);
  const date = httpDate.safeParse(value);
  return date.success ? Math.max(0, date.data - now) : undefined;
}
