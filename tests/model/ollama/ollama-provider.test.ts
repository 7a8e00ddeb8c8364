import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatModel } from "../../../src/model/chat-model.js";
import { ModelError } from "../../../src/model/chat-model.js";
import { createOllamaModel, type OllamaModelSettings } from "../../../src/model/ollama/ollama-provider.js";
import { type FakeOllama, startFakeOllama } from "../../fakes/fake-ollama.js";
import { closedPort, codeOf, collect, hello } from "../collect.js";

let fake: FakeOllama;
let model: ChatModel;

function ollamaAt(host: string, overrides: Partial<OllamaModelSettings> = {}): ChatModel {
  return createOllamaModel({
    host,
    model: "llama3.2",
    contextTokens: 2048,
    idleTimeoutMs: 5_000,
    ...overrides,
  });
}

beforeEach(async () => {
  fake = await startFakeOllama();
  model = ollamaAt(fake.host);
});
afterEach(async () => {
  await fake.close();
});

describe("ollama provider: streaming", () => {
  it("yields the text deltas then one finish with the usage", async () => {
    fake.enqueue({ chunks: ["Hel", "lo", "!"], delayMs: 50, promptTokens: 12, completionTokens: 3 });
    const result = await collect(model.stream(hello));
    expect(result.error).toBeUndefined();
    expect(result.parts).toEqual([
      { type: "text-delta", text: "Hel" },
      { type: "text-delta", text: "lo" },
      { type: "text-delta", text: "!" },
      { type: "finish", reason: "stop", usage: { promptTokens: 12, completionTokens: 3 } },
    ]);
  });

  it("hands the lines that arrived while the consumer held a part on as one delta", async () => {
    fake.enqueue({ chunks: ["a", "b", "c", "d"], delayMs: 50 });
    const parts: string[] = [];
    for await (const part of model.stream(hello)) {
      parts.push(part.type === "text-delta" ? part.text : part.type);
      if (parts.length === 1) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(parts).toEqual(["a", "bcd", "finish"]);
  });

  it("echoes the last user message by default", async () => {
    const result = await collect(model.stream({ messages: [{ role: "user", content: "what is a monad?" }] }));
    expect(result.text).toBe("echo: what is a monad?");
    expect(result.finish?.reason).toBe("stop");
  });

  it("reports done_reason length as length, and any other reason as other", async () => {
    fake.enqueue({ chunks: ["a"], finishReason: "length" }, { chunks: ["b"], finishReason: "unload" });
    expect((await collect(model.stream(hello))).finish?.reason).toBe("length");
    expect((await collect(model.stream(hello))).finish?.reason).toBe("other");
  });

  it("keeps its connection: answers one after another, or one stopped early, open no new ones", async () => {
    for (let answer = 0; answer < 5; answer++)
      expect((await collect(model.stream(hello))).error).toBeUndefined();
    fake.enqueue({ chunks: ["a", "b", "c"] });
    for await (const part of model.stream(hello)) if (part.type === "finish") break;
    expect((await collect(model.stream(hello))).error).toBeUndefined();
    expect(fake.chatBodies()).toHaveLength(7);
    // A request sent as the last one's body is still ending may take a second connection.
    expect(fake.connectionsOpened()).toBeLessThanOrEqual(2);
  });

  it("never emits message.thinking", async () => {
    fake.enqueue({ thinking: "secret chain of thought", chunks: ["Hi", " there"] });
    const result = await collect(model.stream(hello));
    expect(result.text).toBe("Hi there");
    expect(JSON.stringify(result.parts)).not.toContain("secret");
  });
});

describe("ollama provider: request mapping", () => {
  it("sends num_ctx, the sampling options and the model override on the native /api/chat", async () => {
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
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["POST /api/chat"]);
    expect(body).toMatchObject({ model: "tutor-lora", stream: true, messages });
    expect(body?.options).toEqual({
      num_ctx: 2048,
      temperature: 0.3,
      top_p: 0.9,
      num_predict: 50,
      stop: ["</s>"],
    });
  });

  it("sends any text as UTF-8 JSON (a lone surrogate escaped by JSON), with the JSON content type", async () => {
    const content = "Persona — café, 😀, 日本語 and a lone \ud800 surrogate";
    await collect(
      model.stream({
        messages: [
          { role: "system", content },
          { role: "user", content: "hi" },
        ],
      }),
    );
    const [request] = fake.requests;
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(Number(request?.headers["content-length"])).toBe(request?.raw.length);
    expect(fake.chatBodies()[0]?.messages[0]?.content).toBe(content);
  });

  it("omits the options a request leaves unset and uses the configured model", async () => {
    await collect(model.stream(hello));
    const [body] = fake.chatBodies();
    expect(body?.model).toBe("llama3.2");
    expect(body?.options).toEqual({ num_ctx: 2048 });
  });
});

describe("ollama provider: errors", () => {
  it("maps a closed port to unavailable", async () => {
    const port = await closedPort(startFakeOllama);
    const result = await collect(ollamaAt(`http://127.0.0.1:${port}`).stream(hello));
    expect(codeOf(result.error)).toBe("unavailable");
  });

  it("maps 404 model not found to model-missing, naming the pull command", async () => {
    fake.enqueue({ status: 404 });
    const result = await collect(model.stream({ ...hello, model: "mistral" }));
    expect(codeOf(result.error)).toBe("model-missing");
    expect(result.error).toBeInstanceOf(ModelError);
    expect((result.error as ModelError).message).toContain("ollama pull mistral");
    expect((result.error as ModelError).status).toBe(404);
  });

  it("maps a 404 that is not about a model (not an Ollama server) to bad-response naming OLLAMA_HOST", async () => {
    fake.enqueue({ status: 404, error: "404 page not found" });
    const result = await collect(model.stream(hello));
    expect(codeOf(result.error)).toBe("bad-response");
    expect((result.error as ModelError).message).toContain("OLLAMA_HOST");
  });

  it("maps 429 to rate-limited with the Retry-After wait", async () => {
    fake.enqueue({ status: 429, retryAfterSeconds: 3 });
    const result = await collect(model.stream(hello));
    expect(codeOf(result.error)).toBe("rate-limited");
    expect((result.error as ModelError).retryAfterMs).toBe(3_000);
  });

  it.each([500, 502, 503])("maps %i to unavailable", async (status) => {
    fake.enqueue({ status });
    expect(codeOf((await collect(model.stream(hello))).error)).toBe("unavailable");
  });

  it("maps a 400 about the context to context-overflow, and other 400s to bad-response", async () => {
    fake.enqueue({ status: 400, error: "the input length exceeds the context length" }, { status: 400 });
    expect(codeOf((await collect(model.stream(hello))).error)).toBe("context-overflow");
    expect(codeOf((await collect(model.stream(hello))).error)).toBe("bad-response");
  });

  it("maps a stream cut mid-way to bad-response, saying the connection dropped", async () => {
    fake.enqueue({ chunks: ["a", "b", "c"], cutAfter: 1 });
    const error = (await collect(model.stream(hello))).error;
    expect(codeOf(error)).toBe("bad-response");
    expect((error as ModelError).message).toContain("dropped mid-stream");
  });

  it("maps a body that ends without done:true to bad-response", async () => {
    fake.enqueue({ chunks: ["a", "b"], endAfter: 2 });
    const result = await collect(model.stream(hello));
    expect(result.text).toBe("ab");
    expect(codeOf(result.error)).toBe("bad-response");
    expect((result.error as ModelError).message).toContain("ended early");
  });

  it("maps a mid-stream error line to bad-response, or unavailable when it says the server is busy", async () => {
    fake.enqueue(
      { chunks: ["a", "b"], errorLineAfter: 1, error: "llama runner process has terminated" },
      { chunks: ["a", "b"], errorLineAfter: 1, error: "server busy, please try again" },
    );
    const first = await collect(model.stream(hello));
    expect(first.text).toBe("a");
    expect(codeOf(first.error)).toBe("bad-response");
    expect((first.error as ModelError).message).toBe("Ollama failed mid-stream");
    expect(codeOf((await collect(model.stream(hello))).error)).toBe("unavailable");
  });
});

describe("ollama provider: check()", () => {
  it("is ok when the model is listed, allowing the implicit :latest tag", async () => {
    expect(await model.check()).toEqual({ ok: true, model: "llama3.2" });
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["GET /api/tags"]);
  });

  it("reports model-missing with the pull command when the model is not listed", async () => {
    fake.setModels(["qwen2.5:7b"]);
    const health = await model.check();
    expect(health).toMatchObject({ ok: false, code: "model-missing", hint: "run `ollama pull llama3.2`" });
  });

  it("reports unavailable with a hint when the server is down", async () => {
    const port = await closedPort(startFakeOllama);
    const health = await ollamaAt(`http://127.0.0.1:${port}`).check();
    expect(health).toMatchObject({
      ok: false,
      code: "unavailable",
      hint: "start Ollama (`ollama serve`) or set OLLAMA_HOST",
    });
  });
});
