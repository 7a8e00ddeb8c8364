/**
 * Embeddings from Ollama's `POST /api/embed` (many inputs in one call), over fetch: the `ollama`
 * client's own error carries no status, and the status is what says "no such embedding model"
 * (404 for an unknown model; 400 or 500 with "does not support embeddings" for a chat model).
 */
import { z } from "zod";
import { type Embedder, EmbeddingsUnsupported, normalise } from "../embedder.js";
import { authorizationHeader, parseServerUrl } from "../server-url.js";

const embedResponse = z.object({ embeddings: z.array(z.array(z.number())) });
const errorBody = z.object({ error: z.string() });

export function createOllamaEmbedder(settings: {
  host: string;
  model: string;
  fetch?: typeof fetch;
}): Embedder {
  const server = parseServerUrl(settings.host);
  const fetchFn = settings.fetch ?? fetch;
  return {
    model: settings.model,
    async embed(texts, signal) {
      if (texts.length === 0) return [];
      const response = await fetchFn(`${server.url.replace(/\/$/, "")}/api/embed`, {
        method: "POST",
        headers: { "content-type": "application/json", ...authorizationHeader(server) },
        body: JSON.stringify({ model: settings.model, input: texts, truncate: true }),
        signal,
      });
      const body: unknown = await response.json().catch(() => undefined);
      if (!response.ok) {
        const reason = errorBody.safeParse(body).data?.error ?? `HTTP ${response.status}`;
        if (response.status === 404 || /does not support embeddings|not found/i.test(reason))
          throw new EmbeddingsUnsupported(
            `Ollama at ${server.display} has no embedding model ${settings.model}: ${reason}`,
          );
        throw new Error(`Ollama embeddings failed (HTTP ${response.status}): ${reason}`);
      }
      const parsed = embedResponse.safeParse(body);
      if (!parsed.success || parsed.data.embeddings.length !== texts.length)
        throw new Error("Ollama's /api/embed answered without one embedding per input");
      return parsed.data.embeddings.map(normalise);
    },
  };
}
