/**
 * A platform message in neutral form. Built only at the edge (a connector's mapping); core never
 * sees a discord.js or Bolt type.
 */

export type Platform = "discord" | "slack" | "console";

export interface Author {
  id: string;
  /** Display name, as the people in the conversation see it. */
  name: string;
  /** May bind a persona for the whole channel / server (Discord: Manage Channels / Manage Server). */
  canManageChannel: boolean;
  canManageServer: boolean;
  /**
   * The author runs this troupe (the terminal chat's person): a failure only the operator can fix
   * shows its cause and fix in the chat line itself. Set by the platform's mapping, never by core.
   */
  runsTroupe?: boolean;
}

export interface Attachment {
  name: string;
  url: string;
  contentType?: string;
}

export interface IncomingMessage {
  platform: Platform;
  /** See conversationId(); the key for history and per-conversation ordering. */
  conversationId: string;
  /** Discord guild or Slack team; undefined in DMs and the console. */
  serverId?: string;
  channelId: string;
  threadId?: string;
  author: Author;
  /** The text with the bot's mention removed. */
  text: string;
  isDirect: boolean;
  attachments: Attachment[];
}

/**
 * Conversation ids: `discord:<guild>:<channel>[:<thread>]`, `discord:dm:<user>`,
 * `slack:<team>:<channel>:<thread_ts>`, `console:<name>`.
 */
export function conversationId(parts: {
  platform: Platform;
  serverId?: string;
  channelId: string;
  threadId?: string;
  directUserId?: string;
}): string {
  if (parts.platform === "console") return `console:${parts.channelId}`;
  if (parts.directUserId !== undefined) return `${parts.platform}:dm:${parts.directUserId}`;
  const base = `${parts.platform}:${parts.serverId ?? "-"}:${parts.channelId}`;
  return parts.threadId === undefined ? base : `${base}:${parts.threadId}`;
}

/** An earlier message of a thread the bot joins late (Slack: conversations.replies), oldest first. */
export interface ThreadMessage {
  author: { id: string; name: string };
  text: string;
  /** Written by this bot: becomes an assistant turn, everything else a user turn. */
  fromBot: boolean;
  /** Milliseconds since the epoch. */
  at: number;
}
