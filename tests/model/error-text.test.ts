/**
 * What the log says for each model failure: pino's error serializer appends every cause's message to
 * the error's own, so a ModelError that already quoted its cause read "cannot reach X: fetch failed:
 * ECONNREFUSED: fetch failed: ECONNREFUSED". Each cause's words must appear exactly once, in the log
 * line and in `describeError` (the text checks and notices show).
 */
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ModelError } from "../../src/model/chat-model.js";
import {
  engineProblem,
  generationError,
  loadProblem,
  memoryProblem,
} from "../../src/model/embedded/embedded-errors.js";
import { describeError } from "../../src/model/server-error-text.js";
import type { FakeReply } from "../fakes/llm-fake-reply.js";
import { codeOf, collect, hello } from "./collect.js";
import { type FakeServer, providersUnderTest } from "./providers.js";

/** The messages of an error and its causes, as far as the serializer walks them. */
function chain(error: unknown): string[] {
  const messages: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current.message !== "") messages.push(current.message);
  }
  return messages;
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** Every message in the chain is in `text`, once. */
function expectEachOnce(text: string, error: unknown): void {
  const messages = chain(error);
  expect(messages.length).toBeGreaterThan(0);
  for (const message of messages) {
    expect({ message, times: occurrences(text, message) }).toEqual({ message, times: 1 });
  }
}

function expectSaidOnce(error: unknown): void {
  expect(error).toBeInstanceOf(ModelError);
  expectEachOnce(pino.stdSerializers.err(error as Error).message, error);
  expectEachOnce(describeError(error), error);
}

const failures: Array<[string, FakeReply, string]> = [
  ["a 500", { status: 500 }, "unavailable"],
  ["a 400", { status: 400, error: "temperature must be at most 2" }, "bad-response"],
  [
    "a 400 about the context",
    { status: 400, error: "the input is too long for the context" },
    "context-overflow",
  ],
  ["a 404 for the model", { status: 404 }, "model-missing"],
  ["a 401", { status: 401, error: "no such key" }, "unauthorized"],
  ["a 429", { status: 429, retryAfterSeconds: 1 }, "rate-limited"],
  [
    "an error line mid-stream",
    { chunks: ["a", "b"], errorLineAfter: 1, error: "model runner crashed" },
    "bad-response",
  ],
  ["a connection cut mid-stream", { chunks: ["a", "b", "c"], cutAfter: 1 }, "bad-response"],
];

describe.each(providersUnderTest)("$name failures say each cause once", (provider) => {
  let fake: FakeServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it.each(failures)("%s", async (_name, reply, code) => {
    const started = await provider.start();
    fake = started.fake;
    fake.enqueue(reply);
    const { error } = await collect(started.model.stream(hello));
    expect(codeOf(error)).toBe(code);
    expectSaidOnce(error);
  });

  it("a server that is down", async () => {
    const { error } = await collect((await provider.downModel()).stream(hello));
    expect(codeOf(error)).toBe("unavailable");
    expectSaidOnce(error);
    expect(pino.stdSerializers.err(error as Error).message).toMatch(/^cannot reach .*: .*ECONNREFUSED/);
  });
});

describe("embedded failures say each cause once", () => {
  const native = new Error("ggml_backend: failed to allocate 4096 MiB");

  it.each([
    ["the engine cannot start", engineProblem(native, false)],
    ["not enough memory", memoryProblem("/models/m.gguf", 8192, 2, native)],
    ["llama.cpp cannot load the file", loadProblem("/models/m.gguf", [], native, "own")],
  ])("%s: in the check's text and in the stream's error", (_name, problem) => {
    const health = problem.toHealth();
    expect(health.ok).toBe(false);
    expect(occurrences(health.ok ? "" : health.message, native.message)).toBe(1);
    expectSaidOnce(problem.toModelError());
  });

  it("a failure while answering", () => {
    expectSaidOnce(generationError(native));
    expectSaidOnce(generationError(new Error("too long prompt for the context size")));
  });
});
