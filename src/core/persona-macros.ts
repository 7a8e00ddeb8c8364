/**
 * `{{char}}` and `{{user}}` in a persona's text, as Character Cards and SillyTavern write them:
 * `{{char}}` is the persona's display name, `{{user}}` the person speaking. Case-insensitive
 * (`{{Char}}`, `{{USER}}`), spaces inside the braces allowed. Applied to a copy of the persona per
 * answer (the file's text keeps the macros, so the same persona serves every speaker), and to the
 * greeting where it is shown. Pure: no I/O, no state.
 */
import type { LoreBook, Persona } from "./persona.js";

/** Who `{{user}}` is when nobody is known: reads naturally in "{{user}} asks…" and "ask {{user}}". */
export const UNKNOWN_USER_NAME = "the user";

export interface MacroNames {
  char: string;
  /** The speaker's display name; empty or missing → UNKNOWN_USER_NAME. */
  user?: string;
}

const MACRO = /\{\{\s*(char|user)\s*\}\}/gi;

export function renderMacros(text: string, names: MacroNames): string {
  // Most personas have no macro at all: skip the copy.
  if (!text.includes("{{")) return text;
  const user = names.user?.trim() ? names.user.trim() : UNKNOWN_USER_NAME;
  return text.replace(MACRO, (_match, which: string) => (which.toLowerCase() === "char" ? names.char : user));
}

/** The persona as the model should see it for this speaker: every text with its macros filled in. */
export function personaForSpeaker(persona: Persona, user: string | undefined): Persona {
  const names: MacroNames = { char: persona.displayName, user };
  const render = (text: string) => renderMacros(text, names);
  const rendered: Persona = {
    ...persona,
    systemPrompt: render(persona.systemPrompt),
    examples: persona.examples.map((example) => ({
      user: render(example.user),
      assistant: render(example.assistant),
    })),
  };
  if (persona.postHistory !== undefined) rendered.postHistory = render(persona.postHistory);
  if (persona.greeting !== undefined) rendered.greeting = render(persona.greeting);
  if (persona.lore !== undefined) rendered.lore = renderLore(persona.lore, render);
  return rendered;
}

function renderLore(lore: LoreBook, render: (text: string) => string): LoreBook {
  // Keys stay as written: they are matched against what people type, not shown to the model.
  return { ...lore, entries: lore.entries.map((entry) => ({ ...entry, content: render(entry.content) })) };
}
