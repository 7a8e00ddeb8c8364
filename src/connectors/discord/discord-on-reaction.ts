/**
 * 👍/👎 reactions on Discord (MESSAGE_REACTION_ADD / _REMOVE, read from the raw gateway payload like
 * MESSAGE_CREATE: no message cache is needed): a thumbs reaction becomes a Reaction for the bot,
 * which rates the answer it is on or ignores a message that is not one. Other emoji and the bot's
 * own reactions are dropped here.
 */
import { z } from "zod";
import type { Bot } from "../../core/bot.js";
import type { Rating } from "../../core/learning.js";

const reactionSchema = z.looseObject({
  user_id: z.string().regex(/^\d{1,25}$/),
  message_id: z.string().regex(/^\d{1,25}$/),
  emoji: z.looseObject({ name: z.string().nullish() }),
});

/** A thumb in any skin tone (Discord sends the toned emoji as its own name). */
export function ratingOfEmoji(name: string | null | undefined): Rating | undefined {
  if (name?.startsWith("👍")) return "good";
  if (name?.startsWith("👎")) return "bad";
  return undefined;
}

/** Returns false when the payload is not a reaction of the expected shape (the caller logs it). */
export function handleDiscordReaction(
  bot: Pick<Bot, "handleReaction">,
  data: unknown,
  removed: boolean,
  botUserId: string | undefined,
): boolean {
  const parsed = reactionSchema.safeParse(data);
  if (!parsed.success) return false;
  const { user_id: userId, message_id: messageId, emoji } = parsed.data;
  const rating = ratingOfEmoji(emoji.name);
  if (rating === undefined || userId === botUserId) return true;
  void bot.handleReaction({ platform: "discord", messageId, userId, rating, removed });
  return true;
}
