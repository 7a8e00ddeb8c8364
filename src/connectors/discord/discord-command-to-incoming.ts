/**
 * A slash command's context as an IncomingMessage: the same conversation ids as chat messages, so
 * `/persona` in a channel and a mention there share the conversation. Discord computes the caller's
 * permissions in the channel itself and sends them with the interaction.
 */
import type { IncomingMessage } from "../../core/message.js";
import { discordLocation } from "./discord-message-to-incoming.js";
import { bindingRights, DM_RIGHTS } from "./discord-permissions.js";

export interface InteractionFacts {
  guildId?: string;
  channelId: string;
  /** "dm": the bot's DM; "private": a group DM or another DM (the app installed by a user). */
  place: "dm" | "private" | "channel" | "thread";
  /** A thread's parent channel. */
  parentId?: string;
  user: { id: string; name: string };
  /** The caller's permissions in the channel, as Discord sent them (servers only). */
  permissions?: bigint;
  text: string;
}

export function interactionToIncoming(facts: InteractionFacts): IncomingMessage {
  const direct = facts.place === "dm";
  const thread = facts.place === "thread" ? facts.parentId : undefined;
  const rights = direct
    ? DM_RIGHTS
    : facts.guildId === undefined
      ? // Nobody manages a group DM for the others.
        { canManageChannel: false, canManageServer: false }
      : bindingRights(facts.permissions);
  return {
    ...discordLocation({
      serverId: direct ? undefined : facts.guildId,
      channelId: thread ?? facts.channelId,
      threadId: thread === undefined ? undefined : facts.channelId,
      directUserId: direct ? facts.user.id : undefined,
    }),
    author: { id: facts.user.id, name: facts.user.name, ...rights },
    text: facts.text,
    attachments: [],
  };
}
