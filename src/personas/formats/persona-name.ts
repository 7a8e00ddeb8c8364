/**
 * A persona name (the file name, `/persona <name>`) made from an imported character's name:
 * lower case, every run of anything but a-z and 0-9 a single `-`, trimmed, at most 32 characters.
 */
import { PERSONA_NAME_PATTERN } from "../parser/persona-schema.js";

/** undefined when nothing usable is left (a name written only in another script). */
export function personaNameFor(characterName: string): string | undefined {
  const name = characterName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 32)
    .replace(/-+$/, "");
  return PERSONA_NAME_PATTERN.test(name) ? name : undefined;
}
