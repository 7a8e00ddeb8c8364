/**
 * Deterministic embeddings for the fakes' `/api/embed` and `/v1/embeddings`: a hashed bag of words,
 * normalised. Texts that share words are near, texts that share none are orthogonal-ish, so a
 * test (and the bench) can say which passage a question should find, without a real model.
 */
export const FAKE_EMBEDDING_DIMENSIONS = 64;
export const defaultFakeEmbedModel = "nomic-embed-text";

function hash(word: string): number {
  // FNV-1a: stable across runs and platforms.
  let value = 0x811c9dc5;
  for (let index = 0; index < word.length; index++) {
    value ^= word.charCodeAt(index);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

export function fakeEmbedding(text: string, dimensions = FAKE_EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const raw of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    // A crude stem, so "personas" and "persona" land together as a real model would put them.
    const word = raw.length > 3 ? raw.replace(/(es|s)$/, "") : raw;
    const h = hash(word);
    vector[h % dimensions] = (vector[h % dimensions] ?? 0) + ((h >>> 16) & 1 ? 1 : -1);
  }
  const length = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
  return vector.map((value) => value / length);
}

/** `input` of an embeddings request: one text or several. */
export function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.every((item) => typeof item === "string")) return input;
  return undefined;
}
