/**
 * The fingerprint `npm run persona -- compile` records in a persona file (`compiled: sha256:…`):
 * a hash of exactly what goes into the compiled model from the file (system prompt, examples,
 * sampling settings, the adapter as written). When a later read of the file hashes the same, the
 * model still holds the persona and its prompt is not sent each turn; any edit to those fields
 * makes it stale. Lore, post_history, name and the rest are sent every turn anyway, so editing them
 * does not call for a compile. Canonical JSON (fixed key order) so the hash is stable.
 */
import { createHash } from "node:crypto";
import type { PersonaExample } from "../../core/persona.js";

export interface CompileMaterial {
  systemPrompt: string;
  examples: readonly PersonaExample[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: readonly string[];
  /** As written in the file (relative to it), so moving the folder keeps the compile current. */
  adapter?: string;
}

export const COMPILE_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

export function compileHash(material: CompileMaterial): string {
  const canonical = JSON.stringify([
    "troupe-compile-v1",
    material.systemPrompt,
    material.examples.map((example) => [example.user, example.assistant]),
    material.temperature ?? null,
    material.topP ?? null,
    material.maxTokens ?? null,
    material.stop ?? null,
    material.adapter ?? null,
  ]);
  return `sha256:${createHash("sha256").update(canonical).digest("hex")}`;
}
