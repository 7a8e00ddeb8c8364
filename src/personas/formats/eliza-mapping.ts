/**
 * An elizaOS character ↔ a persona. eliza's placeholders (`{{agentName}}`, `{{user1}}`, `{{name1}}`)
 * become troupe's `{{char}}` and `{{user}}`. The prompt is `system` followed by sections made from `bio`,
 * `lore`, `adjectives`, `topics` and the chat style (`style.all` + `style.chat`); message examples
 * become `examples:` where a person's message is followed by the character's. Everything else
 * (`postExamples`, `knowledge`, `settings`, `plugins`, `clients`, `username`, `style.post`…) has no
 * use in troupe and is kept as written under `extensions.eliza`, with the fields the prompt was made
 * from, so an export gives the character back; once the prompt or the examples are edited in the
 * file, the edit wins. `secrets` (and `settings.secrets`) are never written into a persona file.
 */
import { isDeepStrictEqual } from "node:util";
import type { Persona, PersonaExample } from "../../core/persona.js";
import { defaultDescription } from "../parser/persona-defaults.js";
import type { PersonaFrontMatter } from "../parser/persona-schema.js";
import { DEFAULT_OPENING } from "./card-body.js";
import { asRecord, withoutUndefined } from "./card-fields.js";
import { CharacterImportError } from "./character-import-error.js";
import type { ElizaCharacter } from "./eliza-schema.js";
import type { PersonaDraft } from "./persona-draft.js";
import { personaNameFor } from "./persona-name.js";

type Json = Record<string, unknown>;

/** What `secrets` held was left out: the importer says so. */
export interface ElizaImport {
  draft: PersonaDraft;
  droppedSecrets: boolean;
}

/** The fields the prompt is composed from: an edited prompt replaces them all on export. */
const PROMPT_FIELDS = ["system", "bio", "lore", "adjectives", "topics"] as const;

export function elizaToPersona(
  character: ElizaCharacter,
  file: string,
  fallbackName: string | undefined,
): ElizaImport {
  const name = personaNameFor(character.name) ?? fallbackName;
  if (name === undefined) {
    throw new CharacterImportError(
      file,
      `cannot make a persona name (a-z, 0-9 and '-') from the character's name ${JSON.stringify(character.name)} or the file name: rename the file, e.g. to "my-character.json"`,
    );
  }
  const { name: _name, secrets, ...kept } = character as Json & ElizaCharacter;
  const settings = asRecord(kept.settings);
  const droppedSecrets = secrets !== undefined || settings.secrets !== undefined;
  if (settings.secrets !== undefined) {
    const { secrets: _secrets, ...otherSettings } = settings;
    kept.settings = otherSettings;
  }
  const displayName = character.name.trim().slice(0, 80).trim();
  const bio = bioLines(character.bio);
  const description = bio[0] === undefined ? undefined : defaultDescription(bio[0]) || undefined;
  const frontMatter: PersonaFrontMatter = withoutUndefined({
    name,
    display_name: displayName,
    description,
    examples: elizaExamples(character),
    extensions: { eliza: kept },
  });
  return { draft: { frontMatter, body: composeElizaBody(character) }, droppedSecrets };
}

export function composeElizaBody(character: Partial<ElizaCharacter>): string {
  const list = (items: readonly string[] | undefined) =>
    (items ?? [])
      .map((item) => item.trim())
      .filter(Boolean)
      .map((item) => `- ${item}`)
      .join("\n");
  const style = [...(character.style?.all ?? []), ...(character.style?.chat ?? [])];
  const sections = [
    ["## About {{char}}", list(bioLines(character.bio))],
    ["## Background", list(character.lore)],
    [
      "## Personality",
      (character.adjectives ?? [])
        .map((word) => word.trim())
        .filter(Boolean)
        .join(", "),
    ],
    ["## Topics {{char}} knows", list(character.topics)],
    ["## How {{char}} writes", list(style)],
  ]
    .filter(([, text]) => text !== "")
    .map(([heading, text]) => `${heading}\n\n${text}`);
  const system = character.system?.trim() || DEFAULT_OPENING;
  return toMacros([system, ...sections].join("\n\n"));
}

function bioLines(bio: string | readonly string[] | undefined): string[] {
  return (typeof bio === "string" ? [bio] : [...(bio ?? [])]).filter((line) => line.trim() !== "");
}

/** eliza's placeholders for the other speaker and for itself, in troupe's (SillyTavern's) spelling. */
function toMacros(text: string): string {
  return text
    .replace(/\{\{\s*(user|name)\d*\s*\}\}/gi, "{{user}}")
    .replace(/\{\{\s*agentName\s*\}\}/gi, "{{char}}")
    .trim();
}

function elizaExamples(character: Partial<ElizaCharacter>): PersonaExample[] | undefined {
  const agent = character.name?.trim().toLowerCase();
  const examples: PersonaExample[] = [];
  for (const group of character.messageExamples ?? []) {
    for (let index = 0; index + 1 < group.length; index++) {
      const question = group[index];
      const answer = group[index + 1];
      if (question === undefined || answer === undefined) continue;
      const speaker = (message: typeof question) => (message.name ?? message.user ?? "").trim().toLowerCase();
      const isAgent = (message: typeof question) =>
        speaker(message) === agent || /\{\{\s*agentname\s*\}\}/.test(speaker(message));
      if (isAgent(question) || !isAgent(answer)) continue;
      const user = toMacros(question.content.text);
      const assistant = toMacros(answer.content.text);
      if (user !== "" && assistant !== "") examples.push({ user, assistant });
      index++;
    }
  }
  return examples.length > 0 ? examples : undefined;
}

/** A persona as an elizaOS character: the kept originals where the prompt and examples still match. */
export function personaToEliza(persona: Persona, draft: PersonaDraft): Json {
  const originals = asRecord(draft.frontMatter.extensions?.eliza);
  const examples = draft.frontMatter.examples;
  const name = persona.displayName;
  const promptKept =
    Object.keys(originals).length > 0 &&
    composeElizaBody({ ...originals, name } as Partial<ElizaCharacter>) === draft.body;
  const character: Json = { name, ...originals };
  if (!promptKept) {
    for (const field of PROMPT_FIELDS) delete character[field];
    const style = asRecord(originals.style);
    if (Object.keys(style).length > 0)
      character.style = withoutUndefined({ ...style, all: undefined, chat: undefined });
    character.system = draft.body;
    character.bio = [];
  }
  const examplesKept =
    originals.messageExamples !== undefined &&
    isDeepStrictEqual(
      elizaExamples({ name, messageExamples: originals.messageExamples } as Partial<ElizaCharacter>),
      examples,
    );
  if (!examplesKept) {
    character.messageExamples = (examples ?? []).map((example) => [
      { name: "{{user1}}", content: { text: example.user } },
      { name, content: { text: example.assistant } },
    ]);
  }
  if (character.username === undefined) character.username = persona.name;
  return character;
}
