/**
 * The embedded provider through the ChatModel contract, on the real node-llama-cpp and a generated
 * tiny random-weight model (see tests/fixtures/tiny-llama.ts). One thread: on a 2-core machine more
 * is many times slower for a model this small.
 */
import { truncateSync } from "node:fs";
import { totalmem } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage, ChatRequest } from "../../../src/model/chat-model.js";
import {
  createEmbeddedModel,
  type EmbeddedChatModel,
} from "../../../src/model/embedded/embedded-provider.js";
import { createTempModels, type TempModels } from "../../fixtures/temp-models.js";
import { createRecordingLogger, type RecordingLogger } from "../../helpers/recording-logger.js";
import { codeOf, collect } from "../collect.js";

let models: TempModels;
let printable: EmbeddedChatModel;
let script: EmbeddedChatModel;
let logger: RecordingLogger;

const open = (modelPath: string, parallel = 2): EmbeddedChatModel =>
  createEmbeddedModel({ modelPath, contextTokens: 512, threads: 1, parallel, logger });

beforeAll(() => {
  models = createTempModels();
  logger = createRecordingLogger();
  printable = open(models.write("tiny.gguf"));
  script = open(models.write("pong.gguf", { steering: { script: "pong!" } }));
});

afterAll(async () => {
  await Promise.all([printable.close(), script.close()]);
  models.cleanup();
});

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: [
    { role: "system", content: "You are a tiny test model." },
    { role: "user", content },
  ],
  ...extra,
});

describe("embedded model: the ChatModel contract", () => {
  it("reports the model ready once it loads, named by its file", async () => {
    expect(printable.description).toBe("embedded:tiny.gguf");
    expect(await printable.check()).toEqual({ ok: true, model: "tiny.gguf" });
    expect(
      logger.lines.some((line) => line.message === "embedded model loaded" && line.fields.threads === 1),
    ).toBe(true);
  });

  it("streams text deltas, then one finish with the token usage", async () => {
    const result = await collect(printable.stream(ask("hello", { maxTokens: 20, temperature: 0.7 })));
    expect(result.error).toBeUndefined();
    const deltas = result.parts.filter((part) => part.type === "text-delta");
    expect(deltas.length).toBeGreaterThan(1);
    expect(result.parts.at(-1)?.type).toBe("finish");
    expect(result.parts.filter((part) => part.type === "finish")).toHaveLength(1);
    expect(result.text).toMatch(/^[\x20-\x7e\n]+$/);
    expect(result.finish).toMatchObject({ reason: "length", usage: { completionTokens: 20 } });
    expect(result.finish?.usage.promptTokens).toBeGreaterThan(20);
  });

  it("answers exactly what the scripted model writes, and ends with reason stop", async () => {
    for (const temperature of [0, 1.5]) {
      const result = await collect(script.stream(ask("ping", { temperature })));
      expect(result.text).toBe("pong!");
      expect(result.finish).toMatchObject({ reason: "stop", usage: { completionTokens: 5 } });
    }
  });

  it("stops at a stop sequence", async () => {
    const result = await collect(script.stream(ask("ping", { stop: ["ng"] })));
    expect(result.text).toBe("po");
    expect(result.finish?.reason).toBe("stop");
  });

  it("gives the same text twice at temperature 0", async () => {
    const first = await collect(printable.stream(ask("same please", { maxTokens: 25, temperature: 0 })));
    const second = await collect(printable.stream(ask("same please", { maxTokens: 25, temperature: 0 })));
    expect(first.text.length).toBeGreaterThan(0);
    expect(second.text).toBe(first.text);
  });

  it("ends quietly, without a finish, when the caller aborts mid-stream, and frees the sequence", async () => {
    const controller = new AbortController();
    let deltas = 0;
    const parts = [];
    for await (const part of printable.stream(ask("go on", { maxTokens: 400 }), {
      signal: controller.signal,
    })) {
      parts.push(part);
      if (part.type === "text-delta" && ++deltas === 3) controller.abort();
    }
    expect(parts.some((part) => part.type === "finish")).toBe(false);
    expect(deltas).toBeGreaterThanOrEqual(3);
    expect(deltas).toBeLessThan(400);
    // Both sequences are free again: two more answers at once still work.
    const again = await Promise.all(
      [1, 2].map(() => collect(printable.stream(ask("again", { maxTokens: 5 })))),
    );
    expect(again.map((result) => result.finish?.reason)).toEqual(["length", "length"]);
  });

  it("stops generating when the reader breaks out of the loop", async () => {
    for await (const part of printable.stream(ask("long", { maxTokens: 400 }))) {
      if (part.type === "text-delta") break;
    }
    const next = await collect(printable.stream(ask("next", { maxTokens: 4 })));
    expect(next.finish).toMatchObject({ reason: "length", usage: { completionTokens: 4 } });
  });

  it("answers two conversations at once, interleaved on one loaded model", async () => {
    const order: string[] = [];
    const run = async (name: string) => {
      for await (const part of printable.stream(ask(`I am ${name}`, { maxTokens: 40 }))) {
        if (part.type === "text-delta") order.push(name);
        else order.push(`${name}:finish`);
      }
    };
    await Promise.all([run("a"), run("b")]);
    expect(order).toContain("a:finish");
    expect(order).toContain("b:finish");
    // Each got text before the other finished: they ran side by side, not one after the other.
    expect(order.indexOf("b")).toBeLessThan(order.indexOf("a:finish"));
    expect(order.indexOf("a")).toBeLessThan(order.indexOf("b:finish"));
  });

  it("queues a third conversation until a sequence is free, and answers all", async () => {
    const results = await Promise.all(
      ["one", "two", "three"].map((name) => collect(printable.stream(ask(name, { maxTokens: 10 })))),
    );
    expect(results.map((result) => result.finish?.usage.completionTokens)).toEqual([10, 10, 10]);
  });
});

describe("embedded model: the prompt the model reads", () => {
  /** The ChatML prompt the fixture's template renders, measured by the library's own tokenizer. */
  async function chatmlTokens(messages: ChatMessage[]): Promise<number> {
    const { getSharedLlama } = await import("../../../src/model/embedded/embedded-llama.js");
    const llama = await getSharedLlama();
    const model = await llama.loadModel({ modelPath: `${models.dir}/tiny.gguf` });
    const text = `${messages.map((message) => `<|im_start|>${message.role}\n${message.content}<|im_end|>\n`).join("")}<|im_start|>assistant\n`;
    // + 1 for the BOS token the template starts with.
    const count = model.tokenize(text, true).length + 1;
    await model.dispose();
    return count;
  }

  it("sends the persona's system prompt and the whole history through the model's chat template", async () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "You are Captain Quill, a cheerful pirate." },
      { role: "user", content: "What is a variable?" },
      { role: "assistant", content: "A labelled chest in the hold." },
      { role: "system", content: "Stay in character." },
      { role: "user", content: "And a loop?" },
    ];
    const withEverything = await collect(printable.stream({ messages, maxTokens: 1 }));
    expect(withEverything.finish?.usage.promptTokens).toBe(await chatmlTokens(messages));

    const withoutPersona = messages.slice(1);
    const bare = await collect(printable.stream({ messages: withoutPersona, maxTokens: 1 }));
    expect(bare.finish?.usage.promptTokens).toBe(await chatmlTokens(withoutPersona));
    expect(bare.finish?.usage.promptTokens).toBeLessThan(withEverything.finish?.usage.promptTokens ?? 0);
  });

  it("drops the oldest turns, never the new message, when the history outgrows the context", async () => {
    const history: ChatMessage[] = Array.from({ length: 30 }, (_, index) => ({
      role: index % 2 === 0 ? "user" : "assistant",
      content: `turn ${index} `.repeat(4),
    }));
    const messages: ChatMessage[] = [
      { role: "system", content: "Be brief." },
      ...history,
      { role: "user", content: "the newest question" },
    ];
    const result = await collect(printable.stream({ messages, maxTokens: 8 }));
    expect(result.error).toBeUndefined();
    expect(result.finish?.usage.promptTokens).toBeLessThanOrEqual(512 - 8);
    const kept = messages.slice(0, 1).concat(messages.slice(-3));
    expect(result.finish?.usage.promptTokens).toBeGreaterThanOrEqual(await chatmlTokens(kept));
    expect(logger.lines.some((line) => line.message === "oldest messages dropped to fit the context")).toBe(
      true,
    );
  });

  it("fails with context-overflow, before any text, when the essentials alone do not fit", async () => {
    const result = await collect(
      printable.stream(
        ask("hi", {
          messages: [
            { role: "system", content: "x".repeat(3_000) },
            { role: "user", content: "hi" },
          ],
        }),
      ),
    );
    expect(codeOf(result.error)).toBe("context-overflow");
    expect(String((result.error as Error).message)).toContain("CONTEXT_TOKENS");
    expect(result.parts).toEqual([]);
  });

  it("ignores a persona's model setting, and says so once in the debug log", async () => {
    await collect(printable.stream(ask("hi", { model: "llama3.2-pirate", maxTokens: 2 })));
    await collect(printable.stream(ask("hi", { model: "llama3.2-pirate", maxTokens: 2 })));
    const notes = logger.lines.filter((line) => line.message.includes("model setting does not apply"));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ level: "debug", fields: { model: "llama3.2-pirate" } });
  });
});

describe("embedded model: too big for this machine", () => {
  it("refuses a model file larger than the machine's memory, before loading anything", async () => {
    const path = models.write("huge.gguf");
    // A sparse file: a valid GGUF header, then a hole that takes no disk space.
    truncateSync(path, totalmem() + 1_000_000);
    const huge = open(path, 1);
    const health = await huge.check();
    await huge.close();
    expect(health).toMatchObject({ ok: false, code: "unavailable" });
    expect(health.ok === false && health.message).toContain(`the embedded model ${path} is`);
    expect(health.ok === false && health.message).toContain("more than this machine's");
    expect(health.ok === false && health.hint).toMatch(/smaller model or a smaller quantization/);
  });

  it("refuses a context too large for the memory, naming CONTEXT_TOKENS", async () => {
    // 64 layers: about 16 kB of KV cache per token, so 10 million tokens would need 160 GB per conversation.
    const path = models.write("deep.gguf", { layers: 64 });
    const deep = createEmbeddedModel({ modelPath: path, contextTokens: 10_000_000, threads: 1, parallel: 2 });
    const health = await deep.check();
    await deep.close();
    expect(health).toMatchObject({ ok: false, code: "unavailable" });
    expect(health.ok === false && health.message).toContain("not enough memory for");
    expect(health.ok === false && health.message).toContain("10000000 tokens × 2 conversations");
    expect(health.ok === false && health.hint).toContain("lower CONTEXT_TOKENS");
  });
});

describe("embedded model: an empty answer", () => {
  it("finishes with reason stop and no text when the model ends at once", async () => {
    const eos = open(models.write("eos.gguf", { steering: "eos" }), 1);
    const result = await collect(eos.stream(ask("anything")));
    await eos.close();
    expect(result.text).toBe("");
    expect(result.finish).toMatchObject({ reason: "stop", usage: { completionTokens: 0 } });
  });
});
