/**
 * The embedding contract: texts → vectors, from the same provider as the chat model (Ollama,
 * an OpenAI-compatible server, or node-llama-cpp in-process). src/knowledge/ sees only this.
 * A provider that has no such model (EMBED_MODEL unknown to it, or a chat-only model) throws
 * EmbeddingsUnsupported, which the knowledge index answers with keyword search alone.
 */
export interface Embedder {
  /** The model named by EMBED_MODEL: recorded in the index, which is rebuilt when it changes. */
  readonly model: string;
  /** One vector per text, in order, L2-normalised (so the index can compare by cosine). */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
  close?(): Promise<void>;
}

export class EmbeddingsUnsupported extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EmbeddingsUnsupported";
  }
}

export function normalise(values: readonly number[]): Float32Array {
  const vector = Float32Array.from(values);
  let sum = 0;
  for (const value of vector) sum += value * value;
  const length = Math.sqrt(sum);
  if (length > 0)
    for (let index = 0; index < vector.length; index++) vector[index] = (vector[index] ?? 0) / length;
  return vector;
}
