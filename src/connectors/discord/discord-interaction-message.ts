/**
 * A slash command's context as an IncomingMessage: the same conversation ids as chat messages, so
 * `/persona` in a channel and a mention there share the conversation. Discord computes the caller's
 * permissions in the channel itself and sends them with the interaction.
 */
import { conversationId, type IncomingMessage } from "../../core/message.js";
import { bindingRights } from "./discord-permissions.js";

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
  const inThread = facts.place === "thread" && facts.parentId !== undefined;
  const channelId = inThread && facts.parentId !== undefined ? facts.parentId : facts.channelId;
  const threadId = inThread ? facts.channelId : undefined;
  const serverId = direct ? undefined : facts.guildId;
  const rights = direct
    ? { canManageChannel: true, canManageServer: false }
    : facts.guildId === undefined
      ? // Nobody manages a group DM for the others.
        { canManageChannel: false, canManageServer: false }
      : bindingRights(facts.permissions);
  return {
    platform: "discord",
    conversationId: conversationId({
      platform: "discord",
      serverId,
      channelId,
      threadId,
      directUserId: direct ? facts.user.id : undefined,
    }),
    serverId,
    channelId,
    threadId,
    author: { id: facts.user.id, name: facts.user.name, ...rights },
    text: facts.text,
    isDirect: direct,
    attachments: [],
  };
}
