/**
 * The persona's system prompt (the file's body) composed from a card's four prompt fields: its
 * `system_prompt` first (`{{original}}` in it is troupe's default opening, as SillyTavern fills in its
 * own main prompt there), then the description, personality and scenario as Markdown sections.
 * Without a system_prompt, a one-line opening says who to be. A card with only a system_prompt gives
 * that text unchanged, so a hand-written persona exported and imported back keeps its prompt exactly.
 */

export interface CardPromptFields {
  system_prompt?: string | undefined;
  description?: string | undefined;
  personality?: string | undefined;
  scenario?: string | undefined;
}

export const CARD_PROMPT_FIELDS = ["system_prompt", "description", "personality", "scenario"] as const;

export const DEFAULT_OPENING =
  "You are {{char}}. Stay in character as {{char}} throughout the conversation with {{user}}.";

export function composeCardBody(fields: CardPromptFields): string {
  const systemPrompt = fields.system_prompt?.trim() ?? "";
  const sections = [
    section("## {{char}}", fields.description),
    section("## {{char}}'s personality", fields.personality),
    section("## Scenario", fields.scenario),
  ].filter((text) => text !== undefined);
  const opening =
    systemPrompt === "" ? DEFAULT_OPENING : systemPrompt.replace(/\{\{\s*original\s*\}\}/gi, DEFAULT_OPENING);
  return [opening, ...sections].join("\n\n").trim();
}

function section(heading: string, text: string | undefined): string | undefined {
  const trimmed = text?.trim() ?? "";
  return trimmed === "" ? undefined : `${heading}\n\n${trimmed}`;
}
