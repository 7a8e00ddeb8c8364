/**
 * The one switch on the embedding provider: the same provider that serves the chat model, asked
 * for EMBED_MODEL. Unset EMBED_MODEL: no embedder, keyword search alone. The openai SDK and
 * node-llama-cpp are imported on the first embedding, not at start, as the chat model's are
 * (lazy-model.ts): a troupe on Ollama pays for neither.
 */
import type { Embedder } from "../embedder.js";
import { createOllamaEmbedder } from "./ollama-embedder.js";

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
      return lazyEmbedder(settings.model, async () =>
        (await import("./openai-embedder.js")).createOpenAIEmbedder({
          baseURL: settings.openaiBaseUrl ?? "https://api.openai.com/v1",
          apiKey: settings.openaiApiKey,
          model: model(settings),
        }),
      );
    case "embedded":
      return lazyEmbedder(settings.model, async () =>
        (await import("./embedded-embedder.js")).createEmbeddedEmbedder({
          modelPath: model(settings),
          threads: settings.embeddedThreads,
        }),
      );
  }
}

function model(settings: EmbedderSettings): string {
  if (settings.model === undefined) throw new Error("unreachable: no embedder without EMBED_MODEL");
  return settings.model;
}

/** An embedder whose module is imported on the first embedding; closing one never loaded is a no-op. */
function lazyEmbedder(name: string, load: () => Promise<Embedder>): Embedder {
  let loading: Promise<Embedder> | undefined;
  return {
    model: name,
    async embed(texts, signal) {
      loading ??= load();
      return (await loading).embed(texts, signal);
    },
    async close() {
      if (loading === undefined) return;
      await (await loading).close?.();
    },
  };
}
