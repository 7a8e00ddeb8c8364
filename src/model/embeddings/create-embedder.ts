/**
 * The one switch on the embedding provider: the same provider that serves the chat model, asked
 * for EMBED_MODEL. Unset EMBED_MODEL: no embedder, keyword search alone.
 */
import type { Embedder } from "../embedder.js";
import { createEmbeddedEmbedder } from "./embedded-embedder.js";
import { createOllamaEmbedder } from "./ollama-embedder.js";
import { createOpenAIEmbedder } from "./openai-embedder.js";

export interface EmbedderSettings {
  provider: "ollama" | "openai" | "embedded";
  model: string | undefined;
  ollamaHost: string;
  openaiBaseUrl?: string;
  openaiApiKey?: string;
  embeddedThreads?: number;
}

export function createEmbedder(settings: EmbedderSettings): Embedder | undefined {
  if (settings.model === undefined) return undefined;
  switch (settings.provider) {
    case "ollama":
      return createOllamaEmbedder({ host: settings.ollamaHost, model: settings.model });
    case "openai":
      return createOpenAIEmbedder({
        baseURL: settings.openaiBaseUrl ?? "https://api.openai.com/v1",
        apiKey: settings.openaiApiKey,
        model: settings.model,
      });
    case "embedded":
      return createEmbeddedEmbedder({ modelPath: settings.model, threads: settings.embeddedThreads });
  }
}
