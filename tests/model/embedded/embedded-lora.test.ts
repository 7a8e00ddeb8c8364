/**
 * LoRA adapters on the embedded engine, for real: node-llama-cpp applies a generated tiny LoRA GGUF
 * (tests/fixtures/tiny-lora.ts) over the generated tiny base. The base never stops early; with the
 * adapter the answer ends at once: the adapter was applied, per request, over the one loaded model.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRequest } from "../../../src/model/chat-model.js";
import {
  createEmbeddedModel,
  type EmbeddedChatModel,
} from "../../../src/model/embedded/embedded-provider.js";
import { createTempModels, type TempModels } from "../../fixtures/temp-models.js";
import { writeTinyLora } from "../../fixtures/tiny-lora.js";
import { createRecordingLogger, type RecordingLogger } from "../../helpers/recording-logger.js";
import { codeOf, collect } from "../collect.js";

let models: TempModels;
let model: EmbeddedChatModel;
let logger: RecordingLogger;
let lora: string;

beforeAll(() => {
  models = createTempModels();
  logger = createRecordingLogger();
  lora = writeTinyLora(models.dir, "eos-lora.gguf");
  model = createEmbeddedModel({
    modelPath: models.write("tiny.gguf"),
    contextTokens: 512,
    threads: 1,
    parallel: 1,
    logger,
  });
});

afterAll(async () => {
  await model.close();
  models.cleanup();
});

const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: [{ role: "user", content: "hello" }],
  maxTokens: 8,
  temperature: 0,
  ...extra,
});

describe("embedded engine: LoRA adapters", () => {
  it("answers with the adapter applied, the base without it, on one loaded model", async () => {
    const plain = await collect(model.stream(ask()));
    expect(plain.error).toBeUndefined();
    expect(plain.text.length).toBeGreaterThan(0);
    expect(plain.parts.at(-1)).toMatchObject({ type: "finish", reason: "length" });

    const adapted = await collect(model.stream(ask({ adapter: lora })));
    expect(adapted.error).toBeUndefined();
    expect(adapted.text).toBe("");
    expect(adapted.parts.at(-1)).toMatchObject({ type: "finish", reason: "stop" });

    // The base lane is untouched by the adapter's, and the adapter's serves the next request too.
    const plainAgain = await collect(model.stream(ask()));
    expect(plainAgain.text).toBe(plain.text);
    const adaptedAgain = await collect(model.stream(ask({ adapter: lora })));
    expect(adaptedAgain.text).toBe("");
    expect(logger.lines.filter((line) => line.message === "embedded model loaded")).toHaveLength(1);
  });

  it("fails only that answer, in one clear line, for a file that is not a LoRA for this base", async () => {
    const broken = join(models.dir, "broken-lora.gguf");
    writeFileSync(broken, "not a gguf at all");
    const result = await collect(model.stream(ask({ adapter: broken })));
    expect(codeOf(result.error)).toBe("bad-response");
    expect((result.error as Error).message).toMatch(
      /^the LoRA adapter .*broken-lora\.gguf could not be applied to the embedded model.*: it must be a LoRA GGUF made for this base model$/,
    );
    const other = writeTinyLora(models.dir, "wide-lora.gguf", { embedding: 128 });
    const mismatch = await collect(model.stream(ask({ adapter: other })));
    expect(codeOf(mismatch.error)).toBe("bad-response");
    const fine = await collect(model.stream(ask()));
    expect(fine.error).toBeUndefined();
  });
});
