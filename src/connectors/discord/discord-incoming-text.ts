/**
 * Discord message text as the model should read it. Discord writes mentions as markup
 * (`<@123>` a user, `<@!123>` the same in older clients, `<@&456>` a role, `<#789>` a channel,
 * `<:name:id>` a custom emoji, `</name:id>` a slash command): the bot's own mention is removed,
 * the rest become the names people see, so the model reads "@Ada", never "<@123>".
 */

import escapeStringRegexp from "escape-string-regexp";
import type { PayloadMember, PayloadUser } from "./discord-payloads.js";

export interface MentionNames {
  user(id: string): string | undefined;
  role(id: string): string | undefined;
  channel(id: string): string | undefined;
}

export interface CleanTextOptions {
  botUserId: string;
  /** The bot's managed role: people often pick it instead of the bot when typing "@". */
  botRoleIds: readonly string[];
  names: MentionNames;
}

/** The name people see for a user: server nickname › chosen display name › username. */
export function displayName(user: PayloadUser, member?: Pick<PayloadMember, "nick">): string {
  return member?.nick || user.global_name || user.username;
}

export function cleanText(content: string, options: CleanTextOptions): string {
  const botMarkup = [
    `<@!?${escapeStringRegexp(options.botUserId)}>`,
    ...options.botRoleIds.map((id) => `<@&${escapeStringRegexp(id)}>`),
  ].join("|");
  return (
    content
      // The bot's own mention only says who is addressed: drop it and the spaces after it.
      .replace(new RegExp(`(?:${botMarkup})[ \\t]*`, "g"), "")
      .replace(/<@!?(\d+)>/g, (_, id: string) => `@${options.names.user(id) ?? "unknown-user"}`)
      .replace(/<@&(\d+)>/g, (_, id: string) => `@${options.names.role(id) ?? "unknown-role"}`)
      .replace(/<#(\d+)>/g, (_, id: string) => `#${options.names.channel(id) ?? "unknown-channel"}`)
      .replace(/<a?:(\w{2,32}):\d+>/g, ":$1:")
      .replace(/<\/([\w -]{1,100}):\d+>/g, "/$1")
      .trim()
      // "@bot, hello" and "@bot: hello" leave the punctuation behind.
      .replace(/^[,:;]\s*/, "")
  );
}

/** A thread name from the question: its first line, at most 80 characters (Discord allows 100). */
export function threadName(question: string, authorName: string): string {
  const line = question.split("\n").find((candidate) => candidate.trim().length > 0) ?? "";
  const words = line.replace(/\s+/g, " ").trim();
  if (words.length === 0) return `Chat with ${authorName}`.slice(0, 100);
  if (words.length <= 80) return words;
  const cut = words.lastIndexOf(" ", 79);
  return `${words.slice(0, cut > 40 ? cut : 79)}…`;
}
