/**
 * The model at start-up, against the fake Ollama on loopback: the provider chosen and why, the
 * check's notice, retries logged, and no provider at all as a FatalError with the ways to get one.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel, type ModelConfig } from "../../src/app/build-model.js";
import { FatalError } from "../../src/app/fatal.js";
import type { ChatModel } from "../../src/model/chat-model.js";
import { defaultFakeModel, type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { createRecordingLogger, type RecordingLogger } from "../helpers/recording-logger.js";

let ollama: FakeOllama;
let modelsDir: string;
beforeAll(async () => {
  ollama = await startFakeOllama();
  modelsDir = await mkdtemp(join(tmpdir(), "troupe-app-models-"));
});
afterAll(async () => {
  await ollama.close();
  await rm(modelsDir, { recursive: true, force: true });
});

function config(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    MODEL_PROVIDER: "ollama",
    MODEL: defaultFakeModel,
    CONTEXT_TOKENS: 4096,
    OLLAMA_HOST: ollama.host,
    OPENAI_BASE_URL: undefined,
    OPENAI_API_KEY: undefined,
    MODEL_IDLE_TIMEOUT_SECONDS: 30,
    EMBEDDED_MODEL: join(modelsDir, "absent.gguf"),
    EMBEDDED_THREADS: undefined,
    MODELS_DIR: modelsDir,
    ...overrides,
  };
}

function build(settings: ModelConfig, logger: RecordingLogger = createRecordingLogger()) {
  return buildModel(settings, {
    logger,
    interactive: false,
    input: new PassThrough(),
    errorOutput: new PassThrough(),
  });
}

async function answer(model: ChatModel, text: string): Promise<string> {
  let said = "";
  for await (const part of model.stream({ messages: [{ role: "user", content: text }] }))
    if (part.type === "text-delta") said += part.text;
  return said;
}

describe("buildModel", () => {
  it("builds the chosen provider's model and tells the terminal which one and why", async () => {
    const { model, notices } = await build(config());
    expect(model.description).toBe(`ollama:${defaultFakeModel}`);
    expect(notices).toEqual([`Model: ollama:${defaultFakeModel} (MODEL_PROVIDER=ollama)`]);
    expect(await answer(model, "ahoy")).toBe("echo: ahoy");
  });

  it("says why auto chose Ollama", async () => {
    const { notices } = await build(config({ MODEL_PROVIDER: "auto" }));
    expect(notices).toEqual([`Model: ollama:${defaultFakeModel} (Ollama 0.12.0 answers at ${ollama.host})`]);
  });

  it("adds the problem and its fix when the model is not there, and keeps going", async () => {
    const logger = createRecordingLogger();
    const { notices } = await build(config({ MODEL: "qwen3:0.6b" }), logger);
    expect(notices).toHaveLength(2);
    expect(notices[1]).toContain("ollama pull qwen3:0.6b");
    expect(notices[1]).toContain("troupe keeps running");
    expect(logger.lines.map((line) => line.message)).toContain(
      "model is not ready: answers will fail with a short error until it is",
    );
  });

  it("logs each retry of a model call with its code, attempt and delay", async () => {
    const logger = createRecordingLogger();
    const { model } = await build(config(), logger);
    ollama.enqueue({ status: 503 });
    expect(await answer(model, "again")).toBe("echo: again");
    const retries = logger.lines.filter((line) => line.message === "model call failed: retrying");
    expect(retries).toHaveLength(1);
    expect(retries[0]?.level).toBe("warn");
    expect(retries[0]?.fields).toEqual({
      code: "unavailable",
      attempt: 1,
      delayMs: expect.any(Number),
      reason: expect.any(String),
    });
  });

  it("fails with the three ways to get a model when there is none and nobody to ask", async () => {
    const gone = await startFakeOllama();
    await gone.close();
    const failure = await build(config({ MODEL_PROVIDER: "auto", OLLAMA_HOST: gone.host })).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(FatalError);
    const message = (failure as Error).message;
    expect(message).toContain("ollama pull");
    expect(message).toContain("OPENAI_BASE_URL");
    expect(message).toContain(join(modelsDir, "absent.gguf"));
  });
});
