/**
 * Character Card V2 (`chara_card_v2`) and V3 (`chara_card_v3`) as zod schemas: what an imported
 * card must be before any of it is used. Lenient where cards in the wild are (a missing text field
 * is an empty one), strict where a field has a type (a tag is text, a date is a number). Fields a
 * card carries beyond the spec are kept (`looseObject`): they go under the persona's `extensions`,
 * so nothing is lost. The lorebook's entries are not checked here: they are checked against the
 * persona's own `lore:` schema when mapped, and an entry troupe cannot use is kept aside, not refused.
 */
import { z } from "zod";

export const CARD_V2_SPEC = "chara_card_v2";
export const CARD_V3_SPEC = "chara_card_v3";

const text = z.string().optional();
const texts = z.array(z.string()).optional();
const record = z.record(z.string(), z.unknown());

export const characterBookSchema = z.looseObject({
  name: z.string().optional(),
  description: z.string().optional(),
  scan_depth: z.number().optional(),
  token_budget: z.number().optional(),
  recursive_scanning: z.boolean().optional(),
  extensions: record.optional(),
  entries: z.array(record),
});
export type CharacterBook = z.infer<typeof characterBookSchema>;

export const cardAssetSchema = z.looseObject({
  type: z.string(),
  uri: z.string(),
  name: z.string(),
  ext: z.string(),
});
export type CardAsset = z.infer<typeof cardAssetSchema>;

/** The `data` of a V3 card; a V2 card's is the same without the V3 fields. */
export const cardDataSchema = z.looseObject({
  name: z.string().trim().min(1, "the character has no name"),
  description: text,
  personality: text,
  scenario: text,
  first_mes: text,
  mes_example: text,
  creator_notes: text,
  system_prompt: text,
  post_history_instructions: text,
  alternate_greetings: texts,
  character_book: characterBookSchema.optional(),
  tags: texts,
  creator: text,
  character_version: text,
  extensions: record.optional(),
  // V3
  nickname: text,
  creator_notes_multilingual: z.record(z.string(), z.string()).optional(),
  source: texts,
  group_only_greetings: texts,
  creation_date: z.number().optional(),
  modification_date: z.number().optional(),
  assets: z.array(cardAssetSchema).optional(),
});
export type CardData = z.infer<typeof cardDataSchema>;

export const cardSchema = z.object({
  spec: z.enum([CARD_V2_SPEC, CARD_V3_SPEC]),
  spec_version: z.string().optional(),
  data: cardDataSchema,
});
export type Card = z.infer<typeof cardSchema>;

/** The fields only V3 has: left out of the V2 copy an exported PNG also carries. */
export const V3_ONLY_FIELDS = [
  "nickname",
  "creator_notes_multilingual",
  "source",
  "group_only_greetings",
  "creation_date",
  "modification_date",
  "assets",
] as const;
