/**
 * Embeddings in-process through node-llama-cpp's embedding context, for the embedded engine:
 * EMBED_MODEL is then a GGUF file path (an embedding model such as nomic-embed-text). Loaded on
 * the first call, through the process's one llama binding (embedded-llama.ts), never before.
 */
import type { LlamaEmbeddingContext } from "node-llama-cpp";
import { getSharedLlama } from "../embedded/embedded-llama.js";
import { type Embedder, EmbeddingsUnsupported, normalise } from "../embedder.js";

export function createEmbeddedEmbedder(settings: { modelPath: string; threads?: number }): Embedder {
  let context: Promise<LlamaEmbeddingContext> | undefined;
  const open = async () => {
    const llama = await getSharedLlama();
    let model: Awaited<ReturnType<typeof llama.loadModel>>;
    try {
      model = await llama.loadModel({ modelPath: settings.modelPath });
    } catch (error) {
      throw new EmbeddingsUnsupported(`cannot load the embedding model ${settings.modelPath}`, {
        cause: error,
      });
    }
    return model.createEmbeddingContext(settings.threads === undefined ? {} : { threads: settings.threads });
  };
  return {
    model: settings.modelPath,
    async embed(texts) {
      context ??= open().catch((error: unknown) => {
        context = undefined;
        throw error;
      });
      const ready = await context;
      const vectors: Float32Array[] = [];
      // One at a time: the context embeds one sequence per call.
      for (const text of texts) vectors.push(normalise((await ready.getEmbeddingFor(text)).vector));
      return vectors;
    },
    async close() {
      if (context !== undefined) await (await context.catch(() => undefined))?.dispose();
    },
  };
}
