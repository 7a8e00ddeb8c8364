import { describe, expect, it } from "vitest";
import type { ChatModel, ChatPart, ModelHealth } from "../../src/model/chat-model.js";
import { ModelError } from "../../src/model/chat-model.js";
import {
  abortableSleep,
  type RetryInfo,
  type RetryPolicy,
  retryDelay,
  withRetry,
} from "../../src/model/retry.js";
import { codeOf, collect, hello } from "./collect.js";

/** One scripted attempt: the parts it yields, then the error it throws (if any). */
interface Attempt {
  parts?: ChatPart[];
  error?: unknown;
}

const answer: ChatPart[] = [
  { type: "text-delta", text: "hi" },
  { type: "finish", reason: "stop", usage: { promptTokens: 1, completionTokens: 1 } },
];

/** An in-memory ChatModel that plays one scripted attempt per `stream` call. */
function scriptedModel(attempts: Attempt[], health: ModelHealth = { ok: true, model: "m" }) {
  let calls = 0;
  const model: ChatModel = {
    description: "scripted:m",
    async *stream() {
      const attempt = attempts[calls] ?? { parts: answer };
      calls += 1;
      yield* attempt.parts ?? [];
      if (attempt.error !== undefined) throw attempt.error;
    },
    check: async () => health,
  };
  return { model, calls: () => calls };
}

/** A policy whose sleep returns at once and records what it was asked to wait. */
function recordingPolicy(overrides: Partial<RetryPolicy> = {}) {
  const slept: number[] = [];
  const retries: RetryInfo[] = [];
  const policy: RetryPolicy = {
    maxAttempts: 3,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
    },
    onRetry: (info) => retries.push(info),
    ...overrides,
  };
  return { policy, slept, retries };
}

const unavailable = () => new ModelError("unavailable", "connection refused");

describe("withRetry", () => {
  it("passes a successful stream through without waiting", async () => {
    const scripted = scriptedModel([{ parts: answer }]);
    const { policy, slept } = recordingPolicy();
    const result = await collect(withRetry(scripted.model, policy).stream(hello));
    expect(result.parts).toEqual(answer);
    expect(scripted.calls()).toBe(1);
    expect(slept).toEqual([]);
  });

  it("retries unavailable with exponential backoff and jitter, then succeeds", async () => {
    const scripted = scriptedModel([{ error: unavailable() }, { error: unavailable() }, { parts: answer }]);
    const { policy, slept, retries } = recordingPolicy();
    const result = await collect(withRetry(scripted.model, policy).stream(hello));
    expect(result.parts).toEqual(answer);
    expect(scripted.calls()).toBe(3);
    // Equal jitter with random 0.5: three quarters of 100 then of 200.
    expect(slept).toEqual([75, 150]);
    expect(retries.map((info) => [info.attempt, info.delayMs, info.error.code])).toEqual([
      [1, 75, "unavailable"],
      [2, 150, "unavailable"],
    ]);
  });

  it("gives up after maxAttempts and throws the last error", async () => {
    const last = new ModelError("unavailable", "still down");
    const scripted = scriptedModel([{ error: unavailable() }, { error: unavailable() }, { error: last }]);
    const { policy, slept } = recordingPolicy();
    const result = await collect(withRetry(scripted.model, policy).stream(hello));
    expect(result.error).toBe(last);
    expect(scripted.calls()).toBe(3);
    expect(slept).toHaveLength(2);
  });

  it("honours a rate-limited error's retryAfterMs", async () => {
    const limited = new ModelError("rate-limited", "slow down", { retryAfterMs: 1_200, status: 429 });
    const scripted = scriptedModel([{ error: limited }, { parts: answer }]);
    const { policy, slept } = recordingPolicy();
    const result = await collect(withRetry(scripted.model, policy).stream(hello));
    expect(result.parts).toEqual(answer);
    expect(slept).toEqual([1_200]);
  });

  it("gives up at once when the server asks to wait longer than maxRetryAfterMs", async () => {
    const limited = new ModelError("rate-limited", "come back in an hour", { retryAfterMs: 3_600_000 });
    const scripted = scriptedModel([{ error: limited }]);
    const { policy, slept } = recordingPolicy();
    const result = await collect(withRetry(scripted.model, policy).stream(hello));
    expect(result.error).toBe(limited);
    expect(scripted.calls()).toBe(1);
    expect(slept).toEqual([]);
  });

  it.each(["timeout", "context-overflow", "model-missing", "bad-response"] as const)(
    "does not retry %s",
    async (code) => {
      const scripted = scriptedModel([{ error: new ModelError(code, code) }]);
      const { policy } = recordingPolicy();
      const result = await collect(withRetry(scripted.model, policy).stream(hello));
      expect(codeOf(result.error)).toBe(code);
      expect(scripted.calls()).toBe(1);
    },
  );

  it("does not retry an error that is not a ModelError", async () => {
    const bug = new RangeError("a bug");
    const scripted = scriptedModel([{ error: bug }]);
    const result = await collect(withRetry(scripted.model, recordingPolicy().policy).stream(hello));
    expect(result.error).toBe(bug);
    expect(scripted.calls()).toBe(1);
  });

  it("never retries once a part was yielded, even for a retryable code", async () => {
    const scripted = scriptedModel([{ parts: [{ type: "text-delta", text: "par" }], error: unavailable() }]);
    const { policy, slept } = recordingPolicy();
    const result = await collect(withRetry(scripted.model, policy).stream(hello));
    expect(result.text).toBe("par");
    expect(codeOf(result.error)).toBe("unavailable");
    expect(scripted.calls()).toBe(1);
    expect(slept).toEqual([]);
  });

  it("passes every part through after a retry, and a consumer's early stop closes the provider's stream", async () => {
    let closed = 0;
    let calls = 0;
    const model: ChatModel = {
      description: "closing",
      async *stream() {
        calls++;
        if (calls === 1) throw unavailable();
        try {
          yield* answer;
        } finally {
          closed++;
        }
      },
      check: async () => ({ ok: true, model: "m" }),
    };
    const retrying = withRetry(model, recordingPolicy().policy);
    const whole: ChatPart[] = [];
    for await (const part of retrying.stream(hello)) whole.push(part);
    expect(whole).toEqual(answer);
    expect(closed).toBe(1);
    for await (const part of retrying.stream(hello)) {
      expect(part).toEqual(answer[0]);
      break;
    }
    expect(closed).toBe(2);
    expect(calls).toBe(3);
  });

  it("ends quietly when the caller aborts during the wait", async () => {
    const controller = new AbortController();
    const scripted = scriptedModel([{ error: unavailable() }]);
    const { policy } = recordingPolicy({
      sleep: async () => {
        controller.abort();
      },
    });
    const result = await collect(
      withRetry(scripted.model, policy).stream(hello, { signal: controller.signal }),
    );
    expect(result.parts).toEqual([]);
    expect(result.error).toBeUndefined();
    expect(scripted.calls()).toBe(1);
  });

  it("with maxAttempts 1 never retries", async () => {
    const scripted = scriptedModel([{ error: unavailable() }]);
    const result = await collect(
      withRetry(scripted.model, recordingPolicy({ maxAttempts: 1 }).policy).stream(hello),
    );
    expect(codeOf(result.error)).toBe("unavailable");
    expect(scripted.calls()).toBe(1);
  });

  it("passes check() and the description through", async () => {
    const health: ModelHealth = { ok: false, code: "model-missing", message: "no", hint: "pull it" };
    const wrapped = withRetry(scriptedModel([], health).model, recordingPolicy().policy);
    expect(await wrapped.check()).toEqual(health);
    expect(wrapped.description).toBe("scripted:m");
  });
});

describe("retryDelay", () => {
  const policy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 500, maxDelayMs: 8_000 };
  const error = unavailable();

  it("stays between half and all of the capped exponential step", () => {
    for (const random of [0, 0.25, 0.999]) {
      const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) =>
        retryDelay({ ...policy, random: () => random }, attempt, error),
      );
      const ceilings = [500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000];
      delays.forEach((delay, index) => {
        const ceiling = ceilings[index] ?? 0;
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      });
    }
  });

  it("uses Retry-After up to the cap, and refuses beyond it", () => {
    const limited = (ms: number) => new ModelError("rate-limited", "slow", { retryAfterMs: ms });
    expect(retryDelay(policy, 1, limited(30_000))).toBe(30_000);
    expect(retryDelay(policy, 1, limited(30_001))).toBeUndefined();
    expect(retryDelay({ ...policy, maxRetryAfterMs: 60_000 }, 1, limited(45_000))).toBe(45_000);
  });
});

describe("abortableSleep", () => {
  it("resolves early, without rejecting, when its signal aborts", async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).resolves.toBeUndefined();
  });

  it("resolves at once on an aborted signal", async () => {
    await expect(abortableSleep(60_000, AbortSignal.abort())).resolves.toBeUndefined();
  });
});
