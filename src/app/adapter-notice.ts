/**
 * A persona's `adapter:` (a LoRA GGUF) is applied by the embedded engine, and by Ollama only once
 * `npm run persona -- compile` has built it into the persona's model. Anywhere else it would be
 * ignored without a word, and the persona would answer as the plain base model: say so once at
 * start, naming the personas and the fix.
 */
import type { Persona } from "../core/persona.js";
import type { Logger } from "../lib/logger.js";

export type ModelProviderKind = "ollama" | "openai" | "embedded";

/** The personas whose adapter this provider does not apply. */
export function unappliedAdapters(personas: readonly Persona[], provider: ModelProviderKind): string[] {
  if (provider === "embedded") return [];
  return personas
    .filter((persona) => persona.adapter !== undefined)
    .filter((persona) => provider === "openai" || persona.compiled?.current !== true)
    .map((persona) => persona.name);
}

export function logUnappliedAdapters(
  personas: readonly Persona[],
  provider: ModelProviderKind,
  logger: Logger,
): void {
  const names = unappliedAdapters(personas, provider);
  if (names.length === 0) return;
  const fix =
    provider === "ollama"
      ? "build it into the persona's model: npm run persona -- compile NAME"
      : "load it in the server (vLLM --lora-modules) and name it in the persona's model: field, or use the embedded engine";
  logger.warn(
    { personas: names, provider },
    `a LoRA adapter: is not applied on ${provider} until you ${fix}; these personas answer as the base model`,
  );
}
