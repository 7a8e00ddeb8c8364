/**
 * Every Character Card field and where it lives in a persona, one rule per field (or group of
 * fields that make one persona field, like the four that compose the system prompt). A rule says
 * what the card field gives the persona (`toPersona`) and what a persona gives back (`fromPersona`).
 *
 * Nothing is lost, and nothing is kept twice without need: on import, a card value that
 * `fromPersona` would not give back exactly (the description composed into the prompt, a
 * `mes_example` with narration, the creator, any field troupe has no use for) is kept as written
 * under `extensions.card`. On export, a kept original is used while the persona field it made is
 * unchanged (`toPersona(original)` still equals it); once someone edits that field in the file, the
 * edit wins. So card → persona → card gives the card back, and persona → card → persona the persona.
 *
 * Persona fields a card has no place for (temperature, emoji…) travel in the card's
 * `extensions.troupe`, which an import reads back.
 */
import { isDeepStrictEqual } from "node:util";
import type { z } from "zod";
import type { Persona } from "../../core/persona.js";
import { type PersonaFrontMatter, personaFrontMatterSchema } from "../parser/persona-schema.js";
import { CARD_PROMPT_FIELDS, composeCardBody } from "./card-body.js";
import type { CardData } from "./card-schema.js";
import { bookToLore, loreToBook, withBookDefaults } from "./lore-book-mapping.js";
import { formatMesExample, parseMesExample } from "./mes-example.js";

type Json = Record<string, unknown>;

/** The persona an export starts from: the file's values, its body, and what the parser derived. */
export interface PersonaSide {
  frontMatter: PersonaFrontMatter;
  body: string;
  persona: Pick<Persona, "displayName" | "description" | "greeting">;
}

interface FieldRule {
  cardFields: readonly string[];
  /** Front matter fields (and `body`) this card field makes. */
  toPersona(card: Json): Json;
  fromPersona(side: PersonaSide): Json;
}

const DISPLAY_NAME_LIMIT = 80;

const text = (value: unknown): string => (typeof value === "string" ? value : "");
const nonEmpty = (value: string): string | undefined => (value === "" ? undefined : value);

const RULES: readonly FieldRule[] = [
  {
    cardFields: ["name"],
    toPersona: (card) => ({ display_name: text(card.name).trim().slice(0, DISPLAY_NAME_LIMIT).trim() }),
    fromPersona: (side) => ({ name: side.persona.displayName }),
  },
  {
    cardFields: CARD_PROMPT_FIELDS,
    toPersona: (card) => ({
      body: composeCardBody({
        system_prompt: text(card.system_prompt),
        description: text(card.description),
        personality: text(card.personality),
        scenario: text(card.scenario),
      }),
    }),
    fromPersona: (side) => ({ system_prompt: side.body, description: "", personality: "", scenario: "" }),
  },
  {
    cardFields: ["first_mes"],
    toPersona: (card) => ({ greeting: nonEmpty(text(card.first_mes).trim()) }),
    fromPersona: (side) => ({ first_mes: side.frontMatter.greeting ?? "" }),
  },
  {
    cardFields: ["mes_example"],
    toPersona: (card) => ({ examples: parseMesExample(text(card.mes_example)) }),
    fromPersona: (side) => ({ mes_example: formatMesExample(side.frontMatter.examples) }),
  },
  {
    cardFields: ["post_history_instructions"],
    toPersona: (card) => ({ post_history: nonEmpty(text(card.post_history_instructions).trim()) }),
    fromPersona: (side) => ({ post_history_instructions: side.frontMatter.post_history ?? "" }),
  },
  {
    cardFields: ["tags"],
    toPersona: (card) => {
      const tags = (Array.isArray(card.tags) ? card.tags : []).map((tag) => text(tag).trim()).filter(Boolean);
      return { tags: tags.length > 0 ? tags : undefined };
    },
    fromPersona: (side) => ({ tags: side.frontMatter.tags ?? [] }),
  },
  {
    cardFields: ["character_book"],
    toPersona: (card) => ({
      lore:
        card.character_book === undefined
          ? undefined
          : bookToLore(card.character_book as CardData["character_book"] & object),
    }),
    fromPersona: (side) => ({ character_book: loreToBook(side.frontMatter.lore) }),
  },
  // Fields troupe has no use for: an export writes the card's value, or the spec's empty one.
  {
    cardFields: ["creator_notes"],
    toPersona: () => ({}),
    fromPersona: (side) => ({ creator_notes: side.persona.description }),
  },
  {
    cardFields: ["alternate_greetings"],
    toPersona: () => ({}),
    fromPersona: () => ({ alternate_greetings: [] }),
  },
  {
    cardFields: ["group_only_greetings"],
    toPersona: () => ({}),
    fromPersona: () => ({ group_only_greetings: [] }),
  },
  { cardFields: ["creator"], toPersona: () => ({}), fromPersona: () => ({ creator: "" }) },
  {
    cardFields: ["character_version"],
    toPersona: () => ({}),
    fromPersona: () => ({ character_version: "" }),
  },
];

/** Persona fields that ride in the card's `extensions.troupe`: they have no card field. */
export const troupeExtensionSchema = personaFrontMatterSchema
  .pick({
    name: true,
    description: true,
    avatar: true,
    emoji: true,
    temperature: true,
    top_p: true,
    max_tokens: true,
    stop: true,
    model: true,
    adapter: true,
    extensions: true,
  })
  .strict();
export type TroupeExtension = z.infer<typeof troupeExtensionSchema>;

/** What the card's fields make of a persona: front matter fields and the body. */
export function personaFieldsFromCard(data: Json): { fields: Partial<PersonaFrontMatter>; body: string } {
  const merged: Json = {};
  for (const rule of RULES) Object.assign(merged, rule.toPersona(data));
  const { body, ...fields } = merged;
  return { fields: withoutUndefined(fields) as Partial<PersonaFrontMatter>, body: text(body) };
}

/**
 * The card data a persona gives, using the kept originals where they still hold. Without
 * originals: what import compares a card with to decide what to keep.
 */
export function cardDataFromPersona(side: PersonaSide, originals: Json): Json {
  const data: Json = {};
  const ruled = new Set<string>(["extensions"]);
  for (const rule of RULES) {
    for (const field of rule.cardFields) ruled.add(field);
    const derived = rule.fromPersona(side);
    const kept = pick(originals, rule.cardFields);
    if (Object.keys(kept).length === 0) {
      Object.assign(data, derived);
      continue;
    }
    const candidate = { ...derived, ...kept };
    const made = withoutUndefined(rule.toPersona(candidate));
    const current = withoutUndefined(currentFields(side, Object.keys(rule.toPersona(candidate))));
    Object.assign(data, isDeepStrictEqual(made, current) ? candidate : derived);
  }
  for (const [field, value] of Object.entries(originals)) if (!ruled.has(field)) data[field] = value;
  const troupe = troupeExtensionOf(side.frontMatter);
  const extensions = { ...asRecord(originals.extensions) };
  if (Object.keys(troupe).length > 0) extensions.troupe = troupe;
  data.extensions = extensions;
  return withoutUndefined(data);
}

/** The card values `cardDataFromPersona` would not give back: kept under `extensions.card`. */
export function cardOriginals(data: Json, side: PersonaSide, cardExtensions: Json): Json {
  const derived = cardDataFromPersona(side, {});
  const originals: Json = {};
  for (const [field, value] of Object.entries(data)) {
    if (field === "extensions" || value === undefined) continue;
    const comparable = field === "character_book" ? withBookDefaults(value as never) : value;
    if (!isDeepStrictEqual(comparable, derived[field])) originals[field] = value;
  }
  if (Object.keys(cardExtensions).length > 0) originals.extensions = cardExtensions;
  return originals;
}

function troupeExtensionOf(frontMatter: PersonaFrontMatter): Json {
  const { card: _card, ...otherExtensions } = frontMatter.extensions ?? {};
  const avatar = frontMatter.avatar;
  return withoutUndefined({
    name: frontMatter.name,
    description: frontMatter.description,
    // A local file travels as the PNG card's image, not as a path that means nothing elsewhere.
    avatar: avatar !== undefined && /^https?:\/\//i.test(avatar) ? avatar : undefined,
    emoji: frontMatter.emoji,
    temperature: frontMatter.temperature,
    top_p: frontMatter.top_p,
    max_tokens: frontMatter.max_tokens,
    stop: frontMatter.stop,
    model: frontMatter.model,
    adapter: frontMatter.adapter,
    extensions: Object.keys(otherExtensions).length > 0 ? otherExtensions : undefined,
  });
}

function currentFields(side: PersonaSide, fields: readonly string[]): Json {
  const current: Json = {};
  for (const field of fields) {
    current[field] = field === "body" ? side.body : side.frontMatter[field as keyof PersonaFrontMatter];
  }
  return current;
}

function pick(record: Json, fields: readonly string[]): Json {
  const picked: Json = {};
  for (const field of fields) if (record[field] !== undefined) picked[field] = record[field];
  return picked;
}

export function asRecord(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

export function withoutUndefined<T extends Json>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
