/**
 * An elizaOS character file as a zod schema. Both generations are accepted: `bio` as text or a list,
 * message examples naming their speaker with `user` (older files) or `name` (newer ones). Fields
 * outside what troupe maps are kept (`looseObject`) and go under the persona's `extensions.eliza`.
 */
import { z } from "zod";

const texts = z.array(z.string()).optional();

export const elizaMessageSchema = z.looseObject({
  user: z.string().optional(),
  name: z.string().optional(),
  content: z.looseObject({ text: z.string().default("") }),
});
export type ElizaMessage = z.infer<typeof elizaMessageSchema>;

export const elizaCharacterSchema = z.looseObject({
  name: z.string().trim().min(1, "the character has no name"),
  username: z.string().optional(),
  system: z.string().optional(),
  bio: z.union([z.string(), z.array(z.string())]).optional(),
  lore: texts,
  adjectives: texts,
  topics: texts,
  style: z
    .looseObject({
      all: texts,
      chat: texts,
      post: texts,
    })
    .optional(),
  messageExamples: z.array(z.array(elizaMessageSchema)).optional(),
  postExamples: texts,
  knowledge: z.array(z.unknown()).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  secrets: z.record(z.string(), z.unknown()).optional(),
  plugins: texts,
  clients: texts,
});
export type ElizaCharacter = z.infer<typeof elizaCharacterSchema>;

/**
 * Whether parsed JSON looks like an elizaOS character rather than a card: no `spec`, and at least
 * one field only eliza has. A JSON object with neither is "not a character", not a broken eliza file.
 */
export function looksLikeEliza(json: unknown): boolean {
  if (typeof json !== "object" || json === null || Array.isArray(json) || "spec" in json) return false;
  return [
    "bio",
    "system",
    "messageExamples",
    "postExamples",
    "adjectives",
    "topics",
    "style",
    "plugins",
  ].some((key) => key in json);
}
