/**
 * Slack message events → what the bot does with them, and the neutral IncomingMessage. Pure: names
 * are resolved by the caller and passed in, so this is tested on recorded payloads.
 *
 * Where answers go: a channel mention is answered in the thread of that message (a top-level
 * mention starts a thread whose ts is the mention's ts); each thread is one conversation,
 * `slack:<team>:<channel>:<thread_ts>`, and inherits its channel's persona. A DM is a one-to-one
 * chat, so it is answered in place and the whole DM is one conversation, `slack:<team>:<dm>:dm`;
 * a message inside a DM thread (an assistant thread) stays in that thread.
 */
import { conversationId, type IncomingMessage } from "../../core/message.js";
import { mentionedUserIds, mentionsUser, toPlainText } from "./slack-incoming-text.js";
import type { SlackMessageEvent } from "./slack-payloads.js";

export interface SlackIdentity {
  botUserId: string;
  botId?: string;
}

/**
 * - `mention`: the bot is @mentioned in a channel (app_mention, or the `message` copy of it);
 * - `direct`: a DM to the bot;
 * - `thread-reply`: a message in a channel thread without a mention: answered only if the bot is
 *   part of that thread (the caller knows).
 */
export type EventDecision =
  | { kind: "ignore"; reason: string }
  | { kind: "mention" | "direct" | "thread-reply"; event: SlackMessageEvent };

/** Subtypes that are still a person talking: everything else (edits, deletes, joins…) is ignored. */
const PERSON_SUBTYPES = new Set(["file_share", "thread_broadcast"]);

export function isDirectChannel(event: SlackMessageEvent): boolean {
  // app_mention events carry no channel_type; DM channel ids start with D.
  return event.channel_type === "im" || (event.channel_type === undefined && event.channel.startsWith("D"));
}

export function classifyEvent(event: SlackMessageEvent, identity: SlackIdentity): EventDecision {
  // Never answer a bot (ours included): two bots answering each other never stop.
  if (event.bot_id !== undefined || event.subtype === "bot_message") return { kind: "ignore", reason: "bot" };
  if (event.subtype !== undefined && !PERSON_SUBTYPES.has(event.subtype))
    return { kind: "ignore", reason: `subtype ${event.subtype}` };
  if (event.user === undefined || event.user === identity.botUserId)
    return { kind: "ignore", reason: "no person" };
  if (isDirectChannel(event)) return { kind: "direct", event };
  if (event.type === "app_mention" || mentionsUser(event.text, identity.botUserId))
    return { kind: "mention", event };
  if (event.thread_ts !== undefined && event.thread_ts !== event.ts) {
    // People in the bot's thread talking to someone else ("@Ada what do you think?") are not asking the bot.
    if (mentionedUserIds(event.text).length > 0)
      return { kind: "ignore", reason: "addressed to someone else" };
    return { kind: "thread-reply", event };
  }
  return { kind: "ignore", reason: "channel message without mention" };
}

/** The thread the answer goes to: the event's thread, or a new one on it; none for a DM in place. */
export function replyThreadTs(event: SlackMessageEvent): string | undefined {
  return isDirectChannel(event) ? event.thread_ts : (event.thread_ts ?? event.ts);
}

export function slackConversationId(teamId: string, channel: string, threadTs: string | undefined): string {
  return conversationId({
    platform: "slack",
    serverId: teamId,
    channelId: channel,
    threadId: threadTs ?? "dm",
  });
}

/** One key per Slack message, whichever event delivered it (app_mention and message share it). */
export function messageKey(teamId: string, event: Pick<SlackMessageEvent, "channel" | "ts">): string {
  return `message:slack:${teamId}:${event.channel}:${event.ts}`;
}

export interface MappingContext {
  teamId: string;
  botUserId: string;
  /** Display names by user id, for the author and for mentions in the text. */
  names: ReadonlyMap<string, string>;
  /** SLACK_ADMIN_USERS; empty: everyone may set channel and workspace personas. */
  adminUsers: readonly string[];
}

export function isAdmin(userId: string, adminUsers: readonly string[]): boolean {
  return adminUsers.length === 0 || adminUsers.includes(userId);
}

export function toIncomingMessage(event: SlackMessageEvent, context: MappingContext): IncomingMessage {
  const direct = isDirectChannel(event);
  const threadTs = replyThreadTs(event);
  const userId = event.user ?? "unknown";
  const admin = isAdmin(userId, context.adminUsers);
  return {
    platform: "slack",
    conversationId: slackConversationId(context.teamId, event.channel, threadTs),
    // The workspace applies in DMs too: a workspace persona is what the admin chose for everyone.
    serverId: context.teamId,
    channelId: event.channel,
    threadId: threadTs,
    author: {
      id: userId,
      name: context.names.get(userId) || userId,
      // A DM is its person's own channel.
      canManageChannel: direct || admin,
      canManageServer: admin,
    },
    text: toPlainText(event.text, { botUserId: context.botUserId, names: context.names }),
    isDirect: direct,
    // `||`: Slack leaves a name empty at times; a file without a URL cannot be read.
    attachments: (event.files ?? []).flatMap((file) =>
      !file.url_private
        ? []
        : [{ name: file.name || file.title || "file", url: file.url_private, contentType: file.mimetype }],
    ),
  };
}
