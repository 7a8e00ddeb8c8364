/**
 * Embeddings from an OpenAI-compatible server's `POST /v1/embeddings` through the openai SDK. A 404
 * (no such route or model) or a 400 saying the model cannot embed means "no embedding model here".
 */
import OpenAI from "openai";
import { type Embedder, EmbeddingsUnsupported, normalise } from "../embedder.js";
import { createOpenAIClient } from "../openai/openai-client.js";

export function createOpenAIEmbedder(settings: {
  baseURL: string;
  apiKey?: string;
  model: string;
}): Embedder {
  // One retry of the SDK's own: an embedding batch is idempotent and nothing above retries it.
  const { client, server } = createOpenAIClient({
    baseURL: settings.baseURL,
    ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
    maxRetries: 1,
  });
  return {
    model: settings.model,
    async embed(texts, signal) {
      if (texts.length === 0) return [];
      try {
        const response = await client.embeddings.create(
          { model: settings.model, input: [...texts], encoding_format: "float" },
          { signal },
        );
        const ordered = [...response.data].sort((a, b) => a.index - b.index);
        if (ordered.length !== texts.length)
          throw new Error("the server answered /embeddings without one embedding per input");
        return ordered.map((item) => normalise(item.embedding));
      } catch (error) {
        if (
          error instanceof OpenAI.APIError &&
          (error.status === 404 || (error.status === 400 && /embed/i.test(error.message)))
        )
          throw new EmbeddingsUnsupported(
            `${server.display} has no embedding model ${settings.model}: ${error.message}`,
            { cause: error },
          );
        throw error;
      }
    },
  };
}
