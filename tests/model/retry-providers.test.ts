import { afterEach, describe, expect, it } from "vitest";
import type { ChatModel } from "../../src/model/chat-model.js";
import { type RetryPolicy, withRetry } from "../../src/model/retry.js";
import { codeOf, collect, hello } from "./collect.js";
import { type FakeServer, providersUnderTest } from "./providers.js";

function recordingPolicy() {
  const slept: number[] = [];
  const policy: RetryPolicy = {
    maxAttempts: 3,
    baseDelayMs: 500,
    maxDelayMs: 8_000,
    sleep: async (ms) => {
      slept.push(ms);
    },
  };
  return { policy, slept };
}

describe.each(providersUnderTest)("withRetry over the real $name client", (provider) => {
  let fake: FakeServer;
  let model: ChatModel;
  let slept: number[];

  async function start(): Promise<void> {
    const started = await provider.start();
    const recording = recordingPolicy();
    fake = started.fake;
    model = withRetry(started.model, recording.policy);
    slept = recording.slept;
  }
  afterEach(async () => {
    await fake?.close();
  });

  it("retries a 500 and then streams the answer", async () => {
    await start();
    fake.enqueue({ status: 500 });
    const result = await collect(model.stream(hello));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe("echo: hello");
    expect(fake.chatRequestCount()).toBe(2);
    expect(slept).toHaveLength(1);
  });

  it("waits exactly the Retry-After of a 429", async () => {
    await start();
    fake.enqueue({ status: 429, retryAfterSeconds: 2 });
    const result = await collect(model.stream(hello));
    expect(result.text).toBe("echo: hello");
    expect(slept).toEqual([2_000]);
    expect(fake.chatRequestCount()).toBe(2);
  });

  it("does not retry a stream cut after the first delta", async () => {
    await start();
    fake.enqueue({ chunks: ["Hel", "lo"], stallAfter: 1 });
    const iterator = model.stream(hello)[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: { type: "text-delta", text: "Hel" } });
    fake.dropConnections();
    const failure = await iterator.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(codeOf(failure)).toBe("bad-response");
    expect(fake.chatRequestCount()).toBe(1);
    expect(slept).toEqual([]);
  });

  it("does not retry even a retryable failure once text was yielded", async () => {
    await start();
    fake.enqueue({ chunks: ["Hel", "lo"], errorLineAfter: 1, error: "server busy, please try again" });
    const result = await collect(model.stream(hello));
    expect(result.text).toBe("Hel");
    expect(codeOf(result.error)).toBe("unavailable");
    expect(fake.chatRequestCount()).toBe(1);
    expect(slept).toEqual([]);
  });

  it("gives up on a server that stays down after maxAttempts", async () => {
    const { policy, slept: waits } = recordingPolicy();
    const result = await collect(withRetry(await provider.downModel(), policy).stream(hello));
    expect(codeOf(result.error)).toBe("unavailable");
    expect(waits).toHaveLength(2);
  });
});
