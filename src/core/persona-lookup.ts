/**
 * Finding the persona someone named (`/ask persona:x`, `persona x`, `as x: …`), and the one reply
 * when there is none, so every way of naming a persona answers a typo the same way.
 */
import { texts } from "./errors.js";
import type { Persona, PersonaCatalog } from "./persona.js";
import type { ReplySink } from "./reply-sink.js";

export async function findNamedPersona(
  personas: PersonaCatalog,
  name: string,
  sink: ReplySink,
): Promise<Persona | undefined> {
  const typed = name.trim();
  const persona = personas.get(typed.toLowerCase());
  if (persona) return persona;
  const names = personas.list().map((candidate) => candidate.name);
  await sink.post(texts.unknownPersona(typed, names), { ephemeral: true, error: true });
  return undefined;
}
