/**
 * The per-resource write budget Discord enforces on message writes: about 5 per 5 seconds per
 * channel (and per webhook), shared by every conversation writing there. Every accepted write
 * carries the `X-RateLimit-*` headers, as Discord's responses on a limited route do: the limit, what
 * remains after this write, and when the bucket is whole again. The window slides (a write counts
 * for `windowMs` after it arrived), so "whole again" is when the newest write leaves it: a client
 * that trusts the reset is never refused. A write over budget gets a 429 the way Discord sends it:
 * `Retry-After` (seconds), the same headers, and a body `{ message, retry_after, global }`. The fake
 * counts every 429 it sends, so a test can assert none.
 * A test can also hold a bucket shut for a while (`hold`), as Discord does when a resource is
 * limited by more than this bot's own writes (a shared scope): every write there gets a 429.
 */

export interface RateLimitOptions {
  /** Writes allowed per window and bucket. Default 5. */
  limit?: number;
  /** Default 5000 ms. */
  windowMs?: number;
}

export type RateLimitVerdict =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; status: 429; headers: Record<string, string>; body: Record<string, unknown> };

export interface WriteRateLimiter {
  /** Spends one write in `bucket`, or says why not. */
  spend(bucket: string): RateLimitVerdict;
  /** When each accepted write of a bucket arrived (ms since the epoch). */
  times(bucket: string): number[];
  buckets(): string[];
  /** Refuses every write in `bucket` for the next `ms` (a 429 whose Retry-After is the time left). */
  hold(bucket: string, ms: number): void;
  readonly rejected: number;
}

export function createWriteRateLimiter(options: RateLimitOptions = {}): WriteRateLimiter {
  const limit = options.limit ?? 5;
  const windowMs = options.windowMs ?? 5_000;
  const accepted = new Map<string, number[]>();
  const heldUntil = new Map<string, number>();
  let rejected = 0;

  function headers(bucket: string, remaining: number, resetAfterMs: number, now: number) {
    return {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-reset": ((now + resetAfterMs) / 1000).toFixed(3),
      "x-ratelimit-reset-after": (resetAfterMs / 1000).toFixed(3),
      "x-ratelimit-bucket": Buffer.from(bucket).toString("hex").slice(0, 32),
    };
  }

  return {
    spend(bucket) {
      const now = Date.now();
      const times = accepted.get(bucket) ?? [];
      accepted.set(bucket, times);
      const recent = times.filter((at) => at > now - windowMs);
      const held = (heldUntil.get(bucket) ?? 0) - now;
      if (held <= 0 && recent.length < limit) {
        times.push(now);
        // This write is the newest: the bucket is whole again when it leaves the window.
        return { ok: true, headers: headers(bucket, limit - recent.length - 1, windowMs, now) };
      }
      rejected++;
      const resetAfterMs = held > 0 ? held : (recent[0] ?? now) + windowMs - now;
      return {
        ok: false,
        status: 429,
        headers: {
          ...headers(bucket, 0, resetAfterMs, now),
          "retry-after": String(Math.ceil(resetAfterMs / 1000)),
          "x-ratelimit-scope": "user",
        },
        body: {
          message: "You are being rate limited.",
          retry_after: Number((resetAfterMs / 1000).toFixed(3)),
          global: false,
        },
      };
    },
    times: (bucket) => [...(accepted.get(bucket) ?? [])],
    buckets: () => [...accepted.keys()],
    hold(bucket, ms) {
      heldUntil.set(bucket, Date.now() + ms);
    },
    get rejected() {
      return rejected;
    },
  };
}
