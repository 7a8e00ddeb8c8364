/**
 * `llama3.2` and `llama3.2:latest` name the same model: Ollama (and its `/v1/models` list) adds
 * `:latest` when no tag is given. A tag is a colon in the last path segment, so a registry port
 * (`host:5000/model`) is not mistaken for one.
 */
export function sameModelName(a: string, b: string): boolean {
  return withTag(a) === withTag(b);
}

function withTag(name: string): string {
  const lower = name.trim().toLowerCase();
  const lastSegment = lower.slice(lower.lastIndexOf("/") + 1);
  return lastSegment.includes(":") ? lower : `${lower}:latest`;
}
