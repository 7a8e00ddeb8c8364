/**
 * 👍/👎 reactions on Slack (`reaction_added`, and `reaction_removed` to withdraw): a thumbs
 * reaction on a message becomes a Reaction for the bot, which rates the answer it is on or ignores
 * a message that is not one. The message is named `<channel>:<ts>`, as the sinks record answers.
 * Slack retries events, so each is claimed by its event_id first; the bot's own reactions and
 * other emoji are dropped.
 */
import { z } from "zod";
import type { Bot } from "../../core/bot.js";
import type { Rating } from "../../core/learning.js";

const reactionEnvelope = z.looseObject({
  event_id: z.string().min(1),
  event: z.looseObject({
    type: z.enum(["reaction_added", "reaction_removed"]),
    user: z.string().min(1),
    reaction: z.string(),
    item: z.looseObject({ type: z.string(), channel: z.string().optional(), ts: z.string().optional() }),
  }),
});

/** Slack's names for the thumbs, in any skin tone (`+1::skin-tone-3`). */
export function ratingOfReaction(name: string): Rating | undefined {
  const base = name.split("::")[0];
  if (base === "+1" || base === "thumbsup") return "good";
  if (base === "-1" || base === "thumbsdown") return "bad";
  return undefined;
}

export type SlackReactionOutcome = "handled" | "ignored" | "malformed";

export async function handleSlackReaction(
  bot: Pick<Bot, "handleReaction" | "claimEvent">,
  body: unknown,
  botUserId: string,
): Promise<SlackReactionOutcome> {
  const parsed = reactionEnvelope.safeParse(body);
  if (!parsed.success) return "malformed";
  const { event, event_id: eventId } = parsed.data;
  const rating = ratingOfReaction(event.reaction);
  const { channel, ts } = event.item;
  if (rating === undefined || event.user === botUserId || event.item.type !== "message") return "ignored";
  if (channel === undefined || ts === undefined) return "malformed";
  if (!(await bot.claimEvent(eventId))) return "ignored";
  await bot.handleReaction({
    platform: "slack",
    messageId: `${channel}:${ts}`,
    userId: event.user,
    rating,
    removed: event.type === "reaction_removed",
  });
  return "handled";
}
