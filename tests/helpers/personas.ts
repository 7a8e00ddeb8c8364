/** Small personas and a fixed catalog for core tests (the shipped files are tested on their own). */
import type { Persona, PersonaCatalog } from "../../src/core/persona.js";

export function testPersona(name: string, overrides: Partial<Persona> = {}): Persona {
  return {
    name,
    displayName: name[0]?.toUpperCase() + name.slice(1),
    description: `The ${name} persona`,
    systemPrompt: `You are ${name}.`,
    examples: [],
    tags: [],
    source: `personas/${name}.md`,
    ...overrides,
  };
}

export function staticCatalog(personas: Persona[]): PersonaCatalog {
  return {
    list: () => [...personas].sort((a, b) => a.name.localeCompare(b.name)),
    get: (name) => personas.find((persona) => persona.name === name),
  };
}
