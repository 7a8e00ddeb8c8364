/**
 * The records feedback keeps in the store, their keys and their shapes (zod: they are read back
 * from a store other versions or processes may have written). No record holds a platform user id
 * or a display name outside the prompt text: people are pseudonyms (pseudonym.ts), conversations
 * are hashed.
 *
 *   feedback:exchange:<id>                    one answered exchange (the prompt as sent, the answer)
 *   feedback:message:<platform>:<message id>  → exchange id, for a reaction on one of its messages
 *   feedback:last:<person>:<conversation>     → exchange id, for `/feedback` without a target
 *   feedback:rating:<exchange id>:<person>    one person's rating of one answer (a new one replaces it)
 *   feedback:forget-pending:<person>          a `/forget-me` waiting for its confirmation
 */
import { z } from "zod";

export const exchangeSchema = z.object({
  id: z.string(),
  platform: z.string(),
  /** The conversation, hashed: which answers belong together, without naming a channel or a DM. */
  conversation: z.string(),
  /** Who asked (pseudonym). */
  asker: z.string(),
  persona: z.string(),
  model: z.string().optional(),
  messages: z.array(z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() })),
  answer: z.string(),
  /** Display names that label user turns in `messages` (`Ada: …`), for the dataset's pseudonyms. */
  speakers: z.array(z.string()),
  messageIds: z.array(z.string()),
  at: z.number(),
  /** The question's arrival order key: exchanges answered in one millisecond keep their questions' order. */
  order: z.number().optional(),
});
export type ExchangeRecord = z.infer<typeof exchangeSchema>;

export const ratingSchema = z.object({
  exchange: z.string(),
  rater: z.string(),
  rating: z.enum(["good", "bad"]),
  comment: z.string().optional(),
  at: z.number(),
});
export type RatingRecord = z.infer<typeof ratingSchema>;

export const pointerSchema = z.string();

export const EXCHANGE_PREFIX = "feedback:exchange:";
export const RATING_PREFIX = "feedback:rating:";

export const keys = {
  exchange: (id: string) => `${EXCHANGE_PREFIX}${id}`,
  message: (platform: string, messageId: string) => `feedback:message:${platform}:${messageId}`,
  lastPrefix: (person: string) => `feedback:last:${person}:`,
  last: (person: string, conversation: string) => `feedback:last:${person}:${conversation}`,
  rating: (exchangeId: string, person: string) => `${RATING_PREFIX}${exchangeId}:${person}`,
  ratingsOf: (exchangeId: string) => `${RATING_PREFIX}${exchangeId}:`,
  forgetPending: (person: string) => `feedback:forget-pending:${person}`,
};
