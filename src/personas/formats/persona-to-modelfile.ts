/**
 * A persona as an Ollama Modelfile: FROM the configured model, the system prompt, the sampling
 * settings as PARAMETERs (max_tokens is Ollama's num_predict), the examples as MESSAGE pairs, and an
 * ADAPTER line when the persona's `adapter:` is a GGUF file. A Modelfile is static text, so
 * `{{char}}` becomes the display name and `{{user}}` "the user". The post-history reminder and the
 * lorebook have no Modelfile equivalent (troupe adds them per message): they are noted as comments.
 */

import type { Persona } from "../../core/persona.js";
import { renderMacros, UNKNOWN_USER_NAME } from "../../core/persona-macros.js";

export interface ModelfileOptions {
  /** MODEL from the configuration: the base every persona runs on. */
  baseModel: string;
  /** The persona's `adapter:` resolved to a path, when it names a .gguf file. */
  adapterPath?: string;
}

export function personaToModelfile(persona: Persona, options: ModelfileOptions): string {
  const fill = (text: string) => renderMacros(text, { char: persona.displayName, user: UNKNOWN_USER_NAME });
  const lines = [
    `# ${persona.displayName} (${persona.name}), exported from troupe's ${persona.source}`,
    `FROM ${options.baseModel}`,
  ];
  if (options.adapterPath !== undefined) lines.push(`ADAPTER ${options.adapterPath}`);
  lines.push(`SYSTEM ${quoted(fill(persona.systemPrompt))}`);
  if (persona.temperature !== undefined) lines.push(`PARAMETER temperature ${persona.temperature}`);
  if (persona.topP !== undefined) lines.push(`PARAMETER top_p ${persona.topP}`);
  if (persona.maxTokens !== undefined) lines.push(`PARAMETER num_predict ${persona.maxTokens}`);
  for (const stop of persona.stop ?? []) lines.push(`PARAMETER stop ${JSON.stringify(stop)}`);
  for (const example of persona.examples) {
    lines.push(`MESSAGE user ${quoted(fill(example.user))}`);
    lines.push(`MESSAGE assistant ${quoted(fill(example.assistant))}`);
  }
  if (persona.postHistory !== undefined) {
    lines.push("# post_history (troupe adds it before each new message) has no Modelfile equivalent");
  }
  if (persona.lore !== undefined) {
    lines.push(
      `# lore: ${persona.lore.entries.length} entries, added by troupe when their keys come up; not in this Modelfile`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Triple quotes hold any text but three quotes in a row, which would end it: those are broken up
 * with a zero-width space (and so is a quote at the very end), invisible to a reader and harmless
 * to the model.
 */
function quoted(text: string): string {
  const safe = text.replace(/"""/g, '""\u200b"').replace(/"$/, '"\u200b');
  return `"""${safe}"""`;
}
