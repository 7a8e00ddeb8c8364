/**
 * The embedding providers against the fakes: vectors normalised, and "no such model" told apart
 * from a failure. The embedded engine's runs for real, through node-llama-cpp's embedding context,
 * over the generated tiny base model (tests/fixtures/tiny-llama.ts: 64-wide embeddings).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KnowledgeIndex } from "../../src/knowledge/knowledge-index.js";
import { KnowledgeService } from "../../src/knowledge/knowledge-service.js";
import { embeddingText } from "../../src/knowledge/sync-root.js";
import { silentLogger } from "../../src/lib/logger.js";
import { EmbeddingsUnsupported } from "../../src/model/embedder.js";
import { createEmbeddedEmbedder } from "../../src/model/embeddings/embedded-embedder.js";
import { createOllamaEmbedder } from "../../src/model/embeddings/ollama-embedder.js";
import { createOpenAIEmbedder } from "../../src/model/embeddings/openai-embedder.js";
import { FAKE_EMBEDDING_DIMENSIONS } from "../fakes/fake-embeddings.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/fake-openai.js";
import { createTempModels } from "../fixtures/temp-models.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function ollama(options: Parameters<typeof startFakeOllama>[0] = {}): Promise<FakeOllama> {
  const fake = await startFakeOllama(options);
  closers.push(() => fake.close());
  return fake;
}

async function openai(options: Parameters<typeof startFakeOpenAI>[0] = {}): Promise<FakeOpenAI> {
  const fake = await startFakeOpenAI(options);
  closers.push(() => fake.close());
  return fake;
}

function length(vector: Float32Array): number {
  return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
}

describe("embedders", () => {
  it("Ollama: one unit vector per input, in order", async () => {
    const fake = await ollama();
    const embedder = createOllamaEmbedder({ host: fake.host, model: "nomic-embed-text" });
    const vectors = await embedder.embed(["backups of the store", "colours in the terminal"]);
    expect(vectors.map((vector) => vector.length)).toEqual([
      FAKE_EMBEDDING_DIMENSIONS,
      FAKE_EMBEDDING_DIMENSIONS,
    ]);
    for (const vector of vectors) expect(length(vector)).toBeCloseTo(1, 5);
    expect(fake.requests.at(-1)?.body).toMatchObject({
      model: "nomic-embed-text",
      input: ["backups of the store", "colours in the terminal"],
    });
  });

  it("Ollama: an unknown model and a chat-only model are both 'no embeddings here'", async () => {
    const fake = await ollama({ embeddingModels: [] });
    await expect(
      createOllamaEmbedder({ host: fake.host, model: "nomic-embed-text" }).embed(["x"]),
    ).rejects.toThrow(EmbeddingsUnsupported);
    await expect(createOllamaEmbedder({ host: fake.host, model: "llama3.2" }).embed(["x"])).rejects.toThrow(
      /does not support embeddings/,
    );
  });

  it("OpenAI-compatible: vectors through the SDK, a 404 is 'no embeddings here'", async () => {
    const fake = await openai();
    const vectors = await createOpenAIEmbedder({ baseURL: fake.baseURL, model: "nomic-embed-text" }).embed([
      "a b",
      "c",
    ]);
    expect(vectors).toHaveLength(2);
    expect(length(vectors[1] ?? new Float32Array())).toBeCloseTo(1, 5);
    await expect(
      createOpenAIEmbedder({ baseURL: fake.baseURL, model: "gpt-4o" }).embed(["x"]),
    ).rejects.toThrow(EmbeddingsUnsupported);
  });
});

describe("embedded embedder (node-llama-cpp, the generated tiny base)", () => {
  it("embeds in-process: unit vectors of the model's width, the same text always the same vector, and an index built with them", async () => {
    const models = createTempModels();
    const root = await mkdtemp(join(tmpdir(), "troupe-embedded-embed-"));
    const embedder = createEmbeddedEmbedder({ modelPath: models.write("tiny.gguf"), threads: 1 });
    closers.push(async () => {
      models.cleanup();
      await rm(root, { recursive: true, force: true });
    });
    const [backups, colours, again] = await embedder.embed([
      "backups of the store",
      "colours in the terminal",
      "backups of the store",
    ]);
    // The tiny base's llama.embedding_length.
    expect([backups?.length, colours?.length]).toEqual([64, 64]);
    for (const vector of [backups, colours]) expect(length(vector ?? new Float32Array())).toBeCloseTo(1, 5);
    expect(Array.from(again ?? [])).toEqual(Array.from(backups ?? []));
    expect(Array.from(colours ?? [])).not.toEqual(Array.from(backups ?? []));

    await mkdir(join(root, "docs"));
    await writeFile(
      join(root, "docs", "guide.md"),
      "# Guide\n\n## Backups\n\nCopy the store.\n\n## Colours\n\nSet NO_COLOR.\n",
    );
    const { index } = await KnowledgeIndex.open(join(root, "knowledge.sqlite"), embedder.model);
    const service = new KnowledgeService({ index, embedder, logger: silentLogger, watch: false });
    const persona = {
      name: "support",
      displayName: "Support",
      description: "",
      systemPrompt: "",
      examples: [],
      tags: [],
      knowledge: ["docs"],
      source: join(root, "support.md"),
    };
    const guide = join(root, "docs", "guide.md");
    const asEmbedded = embeddingText({ heading: "Guide › Backups", text: "Copy the store." }, guide);
    const ranked = await service.search(persona, asEmbedded, 4);
    // Every passage has a vector: the vector search ranks both; the text the passage was embedded
    // as finds it first at similarity 1, as the same vector was stored.
    expect(ranked.filter((passage) => passage.vectorRank !== undefined)).toHaveLength(2);
    expect(ranked.find((passage) => passage.vectorRank === 1)).toMatchObject({ heading: "Guide › Backups" });
    expect(ranked.find((passage) => passage.vectorRank === 1)?.similarity).toBeCloseTo(1, 4);
    await service.close();
  }, 120_000);

  it("a file that is not a model is 'no embeddings here'", async () => {
    const root = await mkdtemp(join(tmpdir(), "troupe-embedded-embed-"));
    closers.push(() => rm(root, { recursive: true, force: true }));
    await writeFile(join(root, "broken.gguf"), "not a model");
    const embedder = createEmbeddedEmbedder({ modelPath: join(root, "broken.gguf"), threads: 1 });
    await expect(embedder.embed(["x"])).rejects.toThrow(EmbeddingsUnsupported);
  }, 60_000);
});
