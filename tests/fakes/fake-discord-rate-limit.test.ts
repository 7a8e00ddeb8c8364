/**
 * The fake Discord's write limiter reports its state as Discord does, on every accepted write and on
 * a 429, consistently with what it enforces: a client that trusts the headers is never refused.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createWriteRateLimiter } from "./fake-discord/rate-limit.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("fake Discord rate limiter", () => {
  it("reports the limit, what remains after each write and when the bucket is whole again", () => {
    const limiter = createWriteRateLimiter({ limit: 3, windowMs: 2_000 });
    const verdicts = [0, 1, 2].map(() => limiter.spend("channel:1"));
    expect(verdicts.map((verdict) => verdict.ok)).toEqual([true, true, true]);
    expect(verdicts.map((verdict) => verdict.headers["x-ratelimit-remaining"])).toEqual(["2", "1", "0"]);
    for (const verdict of verdicts) {
      expect(verdict.headers["x-ratelimit-limit"]).toBe("3");
      expect(verdict.headers["x-ratelimit-reset-after"]).toBe("2.000");
      expect(verdict.headers["x-ratelimit-reset"]).toBe(((Date.now() + 2_000) / 1000).toFixed(3));
    }
    // One bucket, one hash; another bucket, another.
    expect(new Set(verdicts.map((verdict) => verdict.headers["x-ratelimit-bucket"])).size).toBe(1);
    expect(limiter.spend("channel:2").headers["x-ratelimit-bucket"]).not.toBe(
      verdicts[0]?.headers["x-ratelimit-bucket"],
    );
  });

  it("refuses a write over the limit with a 429 and counts it; the reported reset holds", () => {
    const limiter = createWriteRateLimiter({ limit: 2, windowMs: 1_000 });
    limiter.spend("channel:1");
    vi.advanceTimersByTime(400);
    const last = limiter.spend("channel:1");
    expect(last.headers["x-ratelimit-remaining"]).toBe("0");
    expect(limiter.spend("channel:1").ok).toBe(false);
    expect(limiter.rejected).toBe(1);
    // At the reset the last write reported, the bucket takes `limit` writes again.
    vi.advanceTimersByTime(Number(last.headers["x-ratelimit-reset-after"]) * 1000);
    expect([limiter.spend("channel:1").ok, limiter.spend("channel:1").ok]).toEqual([true, true]);
    expect(limiter.times("channel:1")).toHaveLength(4);
  });

  it("holds a bucket shut: a 429 whose headers say how long", () => {
    const limiter = createWriteRateLimiter();
    limiter.hold("channel:1", 3_000);
    const verdict = limiter.spend("channel:1");
    expect(verdict.ok).toBe(false);
    expect(verdict.headers["retry-after"]).toBe("3");
    expect(verdict.headers["x-ratelimit-remaining"]).toBe("0");
    expect(verdict.headers["x-ratelimit-reset-after"]).toBe("3.000");
    expect(limiter.rejected).toBe(1);
    vi.advanceTimersByTime(3_000);
    expect(limiter.spend("channel:1").ok).toBe(true);
  });
});
