/**
 * Slash commands → IncomingMessage, and the Slack rules for them. Pure.
 *
 * Slack sends a slash command without the thread it was typed in, so a command cannot act on a
 * thread: `/persona coder` sets the channel's persona (threads inherit it), `/ask` starts its own
 * thread, and the thread-only verbs (`reset`, a conversation-scoped persona) are done by mention in
 * the thread instead (`/feedback`: a 👍/👎 reaction on the answer). In a DM, the DM itself is the conversation.
 */
import type { CommandOptions } from "../../core/command.js";
import { conversationId, type IncomingMessage } from "../../core/message.js";
import { isAdmin, slackConversationId } from "./slack-message-to-incoming.js";
import type { SlashCommandPayload } from "./slack-payloads.js";

export function isDirectCommand(payload: SlashCommandPayload): boolean {
  return payload.channel_name === "directmessage" || payload.channel_id.startsWith("D");
}

export interface CommandMappingContext {
  names: ReadonlyMap<string, string>;
  adminUsers: readonly string[];
  /** The text with mentions already turned into names. */
  text: string;
  /** Set for `/ask`: the thread it opened for the answer. */
  threadTs?: string;
}

export function toCommandMessage(
  payload: SlashCommandPayload,
  context: CommandMappingContext,
): IncomingMessage {
  const direct = isDirectCommand(payload);
  const { team_id: teamId, channel_id: channel, user_id: userId } = payload;
  const admin = isAdmin(userId, context.adminUsers);
  let id: string;
  if (context.threadTs !== undefined) id = slackConversationId(teamId, channel, context.threadTs);
  else if (direct) id = slackConversationId(teamId, channel, undefined);
  else id = conversationId({ platform: "slack", serverId: teamId, channelId: channel });
  return {
    platform: "slack",
    conversationId: id,
    serverId: teamId,
    channelId: channel,
    threadId: context.threadTs,
    author: {
      id: userId,
      // `||`: an empty name (a user without one) falls through too.
      name: context.names.get(userId) || payload.user_name || userId,
      canManageChannel: direct || admin,
      canManageServer: admin,
    },
    text: context.text,
    isDirect: direct,
    attachments: [],
  };
}

export type CommandPlan =
  | { kind: "run"; options: CommandOptions }
  | { kind: "ask"; options: CommandOptions }
  | { kind: "note"; text: string };

export function planSlashCommand(
  name: string,
  options: CommandOptions,
  message: IncomingMessage,
  botName: string,
): CommandPlan {
  const inThreadHint = (verb: string) =>
    `A slash command can't tell which thread it was typed in. In the thread, write \`@${botName} ${verb}\` instead.`;
  if (name === "ask") return { kind: "ask", options };
  if (name === "reset" && !message.isDirect) return { kind: "note", text: inThreadHint("reset") };
  if (name === "feedback" && !message.isDirect)
    return {
      kind: "note",
      text: "A slash command can't tell which thread it was typed in. React to my answer with :+1: or :-1: instead.",
    };
  if (name === "persona" && options.name !== undefined && options.name !== "") {
    const scope = options.scope?.toLowerCase();
    if (scope === undefined || scope === "") {
      if (message.author.canManageChannel) return { kind: "run", options: { ...options, scope: "channel" } };
      return {
        kind: "note",
        text:
          "Here `/persona` sets the persona for the whole channel, and only workspace admins may do that. " +
          inThreadHint(`persona ${options.name}`),
      };
    }
    if (scope === "conversation" && !message.isDirect) {
      return { kind: "note", text: inThreadHint(`persona ${options.name}`) };
    }
  }
  return { kind: "run", options };
}
