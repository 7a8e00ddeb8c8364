/** The embedding providers against the fakes: vectors normalised, and "no such model" told apart from a failure. */
import { afterEach, describe, expect, it } from "vitest";
import { EmbeddingsUnsupported } from "../../src/model/embedder.js";
import { createOllamaEmbedder } from "../../src/model/embeddings/ollama-embedder.js";
import { createOpenAIEmbedder } from "../../src/model/embeddings/openai-embedder.js";
import { FAKE_EMBEDDING_DIMENSIONS } from "../fakes/fake-embeddings.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/fake-openai.js";

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
