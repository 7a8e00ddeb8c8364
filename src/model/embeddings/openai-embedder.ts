/**
 * Embeddings from an OpenAI-compatible server's `POST /v1/embeddings` through the openai SDK. A 404
 * (no such route or model) or a 400 saying the model cannot embed means "no embedding model here".
 */
import OpenAI from "openai";
import { type Embedder, EmbeddingsUnsupported, normalise } from "../embedder.js";
import { parseServerUrl } from "../server-url.js";

export function createOpenAIEmbedder(settings: {
  baseURL: string;
  apiKey?: string;
  model: string;
}): Embedder {
  const server = parseServerUrl(settings.baseURL);
  const client = new OpenAI({
    baseURL: server.url,
    apiKey: settings.apiKey || "not-needed",
    // As in the chat provider: explicit nulls so the SDK never reads the environment itself.
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    logLevel: "off",
    ...(settings.apiKey === undefined && server.basicAuthorization !== undefined
      ? { defaultHeaders: { Authorization: server.basicAuthorization } }
      : {}),
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
