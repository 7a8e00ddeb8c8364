/**
 * What both HTTP providers must do with aborts and timeouts, one suite run against each: the
 * caller's abort ends a stream quietly; a stalled server ends it with `timeout`; a slow reader does not.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatModel } from "../../src/model/chat-model.js";
import { codeOf, collect, hello } from "./collect.js";
import { type FakeServer, providersUnderTest, type Timeouts } from "./providers.js";

describe.each(providersUnderTest)("$name provider: abort and idle timeout", (provider) => {
  let fake: FakeServer;
  let model: ChatModel;
  let withTimeouts: (timeouts: Timeouts) => ChatModel;
  beforeEach(async () => {
    ({ fake, model, withTimeouts } = await provider.start());
  });
  afterEach(async () => {
    await fake.close();
  });

  it("ends quietly without a finish when the caller aborts mid-stream", async () => {
    fake.enqueue({ chunks: ["one", "two", "three"], stallAfter: 1 });
    const controller = new AbortController();
    const iterator = model.stream(hello, { signal: controller.signal })[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: { type: "text-delta", text: "one" } });
    controller.abort();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it("yields nothing when the signal is already aborted", async () => {
    const result = await collect(model.stream(hello, { signal: AbortSignal.abort() }));
    expect(result.parts).toEqual([]);
    expect(result.error).toBeUndefined();
    expect(fake.requestCount()).toBe(0);
  });

  it("restarts the idle countdown at every chunk: a slow but steady stream is not a stall", async () => {
    fake.enqueue({ chunks: ["a", "b", "c", "d", "e"], delayMs: 150 });
    const result = await collect(withTimeouts({ idleTimeoutMs: 500 }).stream(hello));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe("abcde");
  });

  it("does not count the time the consumer holds a part against the server", async () => {
    // The server is still streaming while the consumer holds each part longer than the idle timeout.
    fake.enqueue({ chunks: ["a", "b", "c", "d", "e", "f"], delayMs: 100 });
    const parts: string[] = [];
    for await (const part of withTimeouts({ idleTimeoutMs: 150 }).stream(hello)) {
      parts.push(part.type === "text-delta" ? part.text : part.type);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // A provider may hand lines that arrived while the consumer held a part on as one delta.
    expect(parts.at(-1)).toBe("finish");
    expect(parts.slice(0, -1).join("")).toBe("abcdef");
  });

  // The openai SDK alone would wait forever here: its timeout stops once headers arrive.
  it("throws timeout when a stream stalls after some text", async () => {
    fake.enqueue({ chunks: ["a", "b"], stallAfter: 1 });
    const result = await collect(withTimeouts({ idleTimeoutMs: 200 }).stream(hello));
    expect(result.text).toBe("a");
    expect(codeOf(result.error)).toBe("timeout");
  });

  it("throws timeout when the server sends headers but no chunk", async () => {
    fake.enqueue({ chunks: ["a"], stallAfter: 0 });
    const result = await collect(withTimeouts({ idleTimeoutMs: 200 }).stream(hello));
    expect(result.parts).toEqual([]);
    expect(codeOf(result.error)).toBe("timeout");
  });

  it("throws timeout when the server never answers at all", async () => {
    fake.enqueue({ noResponse: true });
    const result = await collect(withTimeouts({ idleTimeoutMs: 200 }).stream(hello));
    expect(codeOf(result.error)).toBe("timeout");
  });

  // For openai this is the SDK's own timeout, passed through.
  it("throws timeout when headers do not come within requestTimeoutMs", async () => {
    fake.enqueue({ noResponse: true });
    const result = await collect(
      withTimeouts({ idleTimeoutMs: 60_000, requestTimeoutMs: 200 }).stream(hello),
    );
    expect(codeOf(result.error)).toBe("timeout");
  });
});
