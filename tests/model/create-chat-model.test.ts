import { afterEach, describe, expect, it } from "vitest";
import { createChatModel, type ModelSettings } from "../../src/model/create-chat-model.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/fake-openai.js";
import { collect, hello } from "./collect.js";

let fakes: Array<FakeOllama | FakeOpenAI> = [];
afterEach(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  fakes = [];
});

function settings(overrides: Partial<ModelSettings>, slept: number[]): ModelSettings {
  return {
    provider: "ollama",
    model: "llama3.2",
    contextTokens: 4096,
    ollamaHost: "http://127.0.0.1:1",
    idleTimeoutMs: 5_000,
    retry: {
      sleep: async (ms) => {
        slept.push(ms);
      },
    },
    ...overrides,
  };
}

describe("createChatModel", () => {
  it("builds the Ollama provider, with num_ctx from contextTokens, wrapped in retries", async () => {
    const fake = await startFakeOllama();
    fakes.push(fake);
    fake.enqueue({ status: 503 });
    const slept: number[] = [];
    const model = createChatModel(settings({ ollamaHost: fake.host }, slept));
    expect(model.description).toBe("ollama:llama3.2");
    const result = await collect(model.stream(hello));
    expect(result.text).toBe("echo: hello");
    expect(slept).toHaveLength(1);
    expect(fake.chatBodies().map((body) => body.options?.num_ctx)).toEqual([4096, 4096]);
  });

  it("builds the OpenAI-compatible provider, wrapped in retries", async () => {
    const fake = await startFakeOpenAI();
    fakes.push(fake);
    fake.enqueue({ status: 502 });
    const slept: number[] = [];
    const model = createChatModel(
      settings({ provider: "openai", openaiBaseUrl: fake.baseURL, openaiApiKey: "sk-local" }, slept),
    );
    expect(model.description).toBe("openai:llama3.2");
    const result = await collect(model.stream(hello));
    expect(result.text).toBe("echo: hello");
    expect(slept).toHaveLength(1);
    expect(fake.requests.map((request) => request.headers.authorization)).toEqual([
      "Bearer sk-local",
      "Bearer sk-local",
    ]);
  });

  it("applies the default of 3 attempts when retry settings leave it out", async () => {
    const fake = await startFakeOllama();
    fakes.push(fake);
    fake.enqueue({ status: 503 }, { status: 503 }, { status: 503 });
    const slept: number[] = [];
    const result = await collect(createChatModel(settings({ ollamaHost: fake.host }, slept)).stream(hello));
    expect(result.error).toMatchObject({ code: "unavailable" });
    expect(fake.chatBodies()).toHaveLength(3);
    expect(slept).toHaveLength(2);
  });

  it("builds the embedded provider from a model path (loading nothing yet), and requires the path", () => {
    const model = createChatModel(
      settings({ provider: "embedded", embeddedModelPath: "/models/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf" }, []),
    );
    expect(model.description).toBe("embedded:Qwen2.5-0.5B-Instruct-Q4_K_M.gguf");
    expect(() => createChatModel(settings({ provider: "embedded" }, []))).toThrow(
      /embeddedModelPath is required/,
    );
  });
});
