import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatModel, ModelError } from "../../../src/model/chat-model.js";
import { createOpenAIModel, type OpenAIModelSettings } from "../../../src/model/openai/openai-provider.js";
import { type FakeOpenAI, startFakeOpenAI } from "../../fakes/fake-openai.js";
import { closedPort, codeOf, collect, hello } from "../collect.js";

let fake: FakeOpenAI;
let model: ChatModel;

function openAIAt(baseURL: string, overrides: Partial<OpenAIModelSettings> = {}): ChatModel {
  return createOpenAIModel({ baseURL, model: "llama3.2", idleTimeoutMs: 5_000, ...overrides });
}

beforeEach(async () => {
  fake = await startFakeOpenAI();
  model = openAIAt(fake.baseURL);
});
afterEach(async () => {
  await fake.close();
});

describe("openai provider: streaming", () => {
  it("yields the text deltas then one finish with the usage chunk's counts", async () => {
    fake.enqueue({ chunks: ["Hel", "lo", "!"], promptTokens: 12, completionTokens: 3 });
    const result = await collect(model.stream(hello));
    expect(result.error).toBeUndefined();
    expect(result.parts).toEqual([
      { type: "text-delta", text: "Hel" },
      { type: "text-delta", text: "lo" },
      { type: "text-delta", text: "!" },
      { type: "finish", reason: "stop", usage: { promptTokens: 12, completionTokens: 3 } },
    ]);
  });

  it("echoes the last user message by default", async () => {
    const result = await collect(model.stream({ messages: [{ role: "user", content: "what is a monad?" }] }));
    expect(result.text).toBe("echo: what is a monad?");
    expect(result.finish?.reason).toBe("stop");
  });

  it("maps finish_reason length to length and anything else to other", async () => {
    fake.enqueue(
      { chunks: ["a"], finishReason: "length" },
      { chunks: ["b"], finishReason: "content_filter" },
    );
    expect((await collect(model.stream(hello))).finish?.reason).toBe("length");
    expect((await collect(model.stream(hello))).finish?.reason).toBe("other");
  });

  it("never emits reasoning_content", async () => {
    fake.enqueue({ thinking: "secret chain of thought", chunks: ["Hi", " there"] });
    const result = await collect(model.stream(hello));
    expect(result.text).toBe("Hi there");
    expect(JSON.stringify(result.parts)).not.toContain("secret");
  });
});

describe("openai provider: request mapping", () => {
  it("sends the sampling options, include_usage and the model override", async () => {
    const messages = [
      { role: "system" as const, content: "You are a tutor." },
      { role: "user" as const, content: "hi" },
    ];
    await collect(
      model.stream({
        messages,
        model: "tutor-lora",
        temperature: 0.3,
        topP: 0.9,
        maxTokens: 50,
        stop: ["</s>"],
      }),
    );
    const [body] = fake.chatBodies();
    expect(body).toEqual({
      model: "tutor-lora",
      messages,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 50,
      stop: ["</s>"],
    });
  });

  it("omits unset options, uses the configured model, and sends a dummy key when none is set", async () => {
    await collect(model.stream(hello));
    const [body] = fake.chatBodies();
    expect(body).toEqual({
      model: "llama3.2",
      messages: hello.messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer not-needed");
  });

  it("sends the configured API key", async () => {
    await collect(openAIAt(fake.baseURL, { apiKey: "sk-test" }).stream(hello));
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer sk-test");
  });
});

describe("openai provider: errors", () => {
  it("maps a closed port to unavailable", async () => {
    const port = await closedPort(startFakeOpenAI);
    const result = await collect(openAIAt(`http://127.0.0.1:${port}/v1`).stream(hello));
    expect(codeOf(result.error)).toBe("unavailable");
  });

  it("maps 404 model_not_found to model-missing", async () => {
    fake.enqueue({ status: 404 });
    const result = await collect(model.stream(hello));
    expect(codeOf(result.error)).toBe("model-missing");
    expect((result.error as ModelError).status).toBe(404);
  });

  it("maps 429 to rate-limited with Retry-After in seconds, or retry-after-ms", async () => {
    fake.enqueue(
      { status: 429, retryAfterSeconds: 2 },
      { status: 429, retryAfterMs: 750, retryAfterSeconds: 9 },
    );
    const first = await collect(model.stream(hello));
    expect(codeOf(first.error)).toBe("rate-limited");
    expect((first.error as ModelError).retryAfterMs).toBe(2_000);
    expect((await collect(model.stream(hello))).error).toMatchObject({ retryAfterMs: 750 });
  });

  it("maps a 400 about the context to context-overflow (llama.cpp, vLLM, OpenAI wordings)", async () => {
    fake.enqueue(
      { status: 400, error: "request (5000 tokens) exceeds the available context size (4096 tokens)" },
      {
        status: 400,
        error: "This model's maximum context length is 4096 tokens. However, you requested 5000",
      },
      { status: 400, error: "Your input is too large.", errorCode: "context_length_exceeded" },
    );
    for (let index = 0; index < 3; index++) {
      expect(codeOf((await collect(model.stream(hello))).error)).toBe("context-overflow");
    }
  });

  it("maps other 4xx to bad-response", async () => {
    fake.enqueue({ status: 400, error: "temperature must be at most 2" }, { status: 422 });
    expect(codeOf((await collect(model.stream(hello))).error)).toBe("bad-response");
    expect(codeOf((await collect(model.stream(hello))).error)).toBe("bad-response");
  });

  it("maps 401 to unauthorized naming OPENAI_API_KEY", async () => {
    fake.enqueue({ status: 401 });
    const result = await collect(model.stream(hello));
    expect(codeOf(result.error)).toBe("unauthorized");
    expect((result.error as ModelError).message).toContain("OPENAI_API_KEY");
    expect((result.error as ModelError).status).toBe(401);
  });

  it.each([500, 502, 503])("maps %i to unavailable", async (status) => {
    fake.enqueue({ status });
    expect(codeOf((await collect(model.stream(hello))).error)).toBe("unavailable");
  });

  it("maps a stream cut mid-way to bad-response", async () => {
    fake.enqueue({ chunks: ["a", "b", "c"], cutAfter: 1 });
    expect(codeOf((await collect(model.stream(hello))).error)).toBe("bad-response");
  });

  it("maps a stream that ends without finish_reason or [DONE] to bad-response", async () => {
    fake.enqueue({ chunks: ["a", "b", "c"], endAfter: 2 });
    const result = await collect(model.stream(hello));
    expect(result.text).toBe("ab");
    expect(codeOf(result.error)).toBe("bad-response");
    expect((result.error as ModelError).message).toBe("the stream ended early");
  });

  it("maps a mid-stream data error event to bad-response", async () => {
    fake.enqueue({ chunks: ["a", "b"], errorLineAfter: 1, error: "upstream model crashed" });
    const result = await collect(model.stream(hello));
    expect(result.text).toBe("a");
    expect(codeOf(result.error)).toBe("bad-response");
  });

  it("maps a vLLM-style error chunk (no error key) to bad-response", async () => {
    fake.enqueue({ chunks: ["a", "b"], vendorErrorAfter: 1, error: "CUDA out of memory" });
    const result = await collect(model.stream(hello));
    expect(result.text).toBe("a");
    expect(codeOf(result.error)).toBe("bad-response");
    expect((result.error as ModelError).message).toContain("CUDA out of memory");
  });
});

describe("openai provider: check()", () => {
  it("is ok when the model is listed", async () => {
    expect(await model.check()).toEqual({ ok: true, model: "llama3.2" });
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["GET /v1/models"]);
  });

  it("is ok when the server has no /models route", async () => {
    fake.setModels(null);
    expect(await model.check()).toEqual({ ok: true, model: "llama3.2" });
  });

  it("reports model-missing when the server lists other models", async () => {
    fake.setModels(["qwen2.5-7b-instruct"]);
    expect(await model.check()).toMatchObject({ ok: false, code: "model-missing" });
  });

  it("reports unavailable with a hint naming OPENAI_BASE_URL when the server is down", async () => {
    const port = await closedPort(startFakeOpenAI);
    const health = await openAIAt(`http://127.0.0.1:${port}/v1`).check();
    expect(health).toMatchObject({ ok: false, code: "unavailable" });
    expect(health.ok ? "" : health.hint).toContain("OPENAI_BASE_URL");
  });
});
