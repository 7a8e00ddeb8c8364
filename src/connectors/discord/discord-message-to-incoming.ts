/**
 * MESSAGE_CREATE → IncomingMessage, as pure functions of the payload and a little context the
 * connector reads from discord.js's caches (where the channel sits, the author's permissions).
 * Conversation ids: `discord:<guild>:<channel>`, `discord:<guild>:<channel>:<thread>` (a thread knows
 * its parent, so it inherits the channel's persona), `discord:dm:<user>`.
 */
import { MessageType } from "discord.js";
import { conversationId, type IncomingMessage } from "../../core/message.js";
import { cleanText, displayName, type MentionNames } from "./discord-incoming-text.js";
import type { MessagePayload } from "./discord-payloads.js";
import { bindingRights, DM_RIGHTS } from "./discord-permissions.js";

export type ChannelPlace =
  | { kind: "dm" }
  | { kind: "channel"; id: string; canOpenThreads: boolean }
  | { kind: "thread"; id: string; parentId: string; botIsMember: boolean };

export interface MessageContext {
  botUserId: string;
  botRoleIds: readonly string[];
  /** Webhooks this bot posts its persona faces through: replies to them are replies to the bot. */
  isOwnWebhook(webhookId: string): boolean;
  place: ChannelPlace;
  /** The author's permissions in the channel (a thread's parent); undefined in DMs or when unknown. */
  permissions?: bigint;
  /** Names for role and channel mentions; user mentions are named from the payload itself. */
  names: Pick<MentionNames, "role" | "channel">;
}

/** Why the bot answers a message; undefined: it stays quiet. */
export type Addressing = "direct" | "mention" | "reply" | "thread";

/** People's own messages: a reply counts as one, system messages (joins, pins, thread starts) do not. */
const CHAT_TYPES: ReadonlySet<number> = new Set([MessageType.Default, MessageType.Reply]);

export function addressing(payload: MessagePayload, context: MessageContext): Addressing | undefined {
  // Never answer a bot (itself included) or a webhook (its own persona faces included): two bots
  // answering each other never stop.
  if (payload.author.bot || payload.author.system || payload.webhook_id !== undefined) return undefined;
  if (!CHAT_TYPES.has(payload.type)) return undefined;
  if (payload.guild_id === undefined) return "direct";
  const mentioned =
    payload.mentions.some((user) => user.id === context.botUserId) ||
    payload.mention_roles.some((role) => context.botRoleIds.includes(role));
  if (mentioned) return "mention";
  const replied = payload.referenced_message;
  if (
    replied &&
    (replied.author.id === context.botUserId ||
      (replied.webhook_id !== undefined && context.isOwnWebhook(replied.webhook_id)))
  )
    return "reply";
  if (context.place.kind === "thread" && context.place.botIsMember) return "thread";
  return undefined;
}

export function toIncomingMessage(payload: MessagePayload, context: MessageContext): IncomingMessage {
  const mentioned = new Map(payload.mentions.map((user) => [user.id, displayName(user, user.member)]));
  const names: MentionNames = { ...context.names, user: (id) => mentioned.get(id) };
  const text = cleanText(payload.content, {
    botUserId: context.botUserId,
    botRoleIds: context.botRoleIds,
    names,
  });
  const direct = context.place.kind === "dm" || payload.guild_id === undefined;
  const place = context.place;
  return {
    ...discordLocation({
      serverId: direct ? undefined : payload.guild_id,
      channelId: place.kind === "thread" ? place.parentId : payload.channel_id,
      threadId: place.kind === "thread" ? place.id : undefined,
      directUserId: direct ? payload.author.id : undefined,
    }),
    author: {
      id: payload.author.id,
      name: displayName(payload.author, payload.member),
      ...(direct ? DM_RIGHTS : bindingRights(context.permissions)),
    },
    text,
    attachments: payload.attachments.map((attachment) => ({
      name: attachment.filename,
      url: attachment.url,
      contentType: attachment.content_type,
    })),
  };
}

/** The same message, answered in a thread opened from it (DISCORD_AUTO_THREAD): its conversation moves there. */
export function moveToThread(message: IncomingMessage, threadId: string): IncomingMessage {
  return {
    ...message,
    ...discordLocation({ serverId: message.serverId, channelId: message.channelId, threadId }),
  };
}

export interface DiscordPlaceIds {
  /** Undefined in DMs. */
  serverId?: string;
  /** A thread's parent channel, so the thread inherits the channel's persona. */
  channelId: string;
  threadId?: string;
  /** Set in DMs only: the conversation is the person's own. */
  directUserId?: string;
}

/** Where a message or a slash command sits, as core's ids; one rule for both, so they share a conversation. */
export function discordLocation(
  ids: DiscordPlaceIds,
): Pick<IncomingMessage, "platform" | "conversationId" | "serverId" | "channelId" | "threadId" | "isDirect"> {
  return {
    platform: "discord",
    conversationId: conversationId({ platform: "discord", ...ids }),
    serverId: ids.serverId,
    channelId: ids.channelId,
    threadId: ids.threadId,
    isDirect: ids.directUserId !== undefined,
  };
}
