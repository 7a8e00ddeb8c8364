/**
 * Mentions in message text, and who a write would ping. Discord parses `<@id>`, `<@&id>`,
 * `@everyone` and `@here` in content, then pings only what `allowed_mentions` lets through; without
 * `allowed_mentions` a bot's message pings everything it names (and a reply pings its author).
 */
import { z } from "zod";

export interface Mentions {
  users: string[];
  roles: string[];
  everyone: boolean;
}

export function mentionsOf(content: string): Mentions {
  const users = [...content.matchAll(/<@!?(\d+)>/g)].map((match) => match[1] ?? "");
  const roles = [...content.matchAll(/<@&(\d+)>/g)].map((match) => match[1] ?? "");
  return {
    users: [...new Set(users)],
    roles: [...new Set(roles)],
    everyone: /@(everyone|here)\b/.test(content),
  };
}

export const allowedMentionsSchema = z.looseObject({
  parse: z.array(z.enum(["users", "roles", "everyone"])).optional(),
  users: z.array(z.string()).optional(),
  roles: z.array(z.string()).optional(),
  replied_user: z.boolean().optional(),
});
export type AllowedMentions = z.infer<typeof allowedMentionsSchema>;

/**
 * Who a write pings, as "everyone", "user:<id>", "role:<id>" and "replied:<id>". `defaults` is what
 * Discord parses when `allowed_mentions` is absent: everything for a bot's own messages, users only
 * for webhooks and interaction responses.
 */
export function pingsOf(
  content: string,
  allowed: AllowedMentions | undefined,
  defaults: AllowedMentions["parse"],
  repliedUserId?: string,
): string[] {
  const mentions = mentionsOf(content);
  const parse = new Set(allowed === undefined ? defaults : (allowed.parse ?? []));
  const pings: string[] = [];
  if (mentions.everyone && parse.has("everyone")) pings.push("everyone");
  for (const id of mentions.users) {
    if (parse.has("users") || allowed?.users?.includes(id)) pings.push(`user:${id}`);
  }
  for (const id of mentions.roles) {
    if (parse.has("roles") || allowed?.roles?.includes(id)) pings.push(`role:${id}`);
  }
  if (repliedUserId !== undefined && (allowed === undefined || allowed.replied_user === true)) {
    pings.push(`replied:${repliedUserId}`);
  }
  return pings;
}
