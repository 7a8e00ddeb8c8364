/**
 * MESSAGE_CREATE payloads as Discord's gateway delivers them (API v10, with the gateway's extra
 * fields: `guild_id`, `member`, mentions with their `member`, `referenced_message`), typed with
 * discord-api-types so their shape is Discord's. Ids are fixed: the bot is 1100…001.
 */
import type { APIUser, GatewayMessageCreateDispatchData, UserFlags } from "discord.js";

export const ids = {
  bot: "1100000000000000001",
  botRole: "1100000000000000002",
  guild: "1100000000000000100",
  general: "1100000000000000200",
  thread: "1100000000000000300",
  dm: "1100000000000000400",
  mods: "1100000000000000500",
  ada: "1100000000000000601",
  bob: "1100000000000000602",
  robo: "1100000000000000603",
  webhook: "1100000000000000700",
} as const;

const user = (id: string, username: string, globalName: string | null, bot = false): APIUser => ({
  id,
  username,
  discriminator: "0",
  global_name: globalName,
  avatar: null,
  ...(bot ? { bot: true } : {}),
  public_flags: 0 as UserFlags,
});

export const users = {
  bot: user(ids.bot, "troupe", null, true),
  ada: user(ids.ada, "ada", "Ada Lovelace"),
  bob: user(ids.bob, "bob", null),
  robo: user(ids.robo, "robo", "Robo", true),
};

const member = (nick: string | null, roles: string[] = []) => ({
  nick,
  roles,
  joined_at: "2024-03-01T10:00:00.000000+00:00",
  premium_since: null,
  deaf: false,
  mute: false,
  flags: 0,
  pending: false,
  avatar: null,
  communication_disabled_until: null,
});

function message(
  fields: Partial<GatewayMessageCreateDispatchData> &
    Pick<GatewayMessageCreateDispatchData, "id" | "content">,
): GatewayMessageCreateDispatchData {
  return {
    channel_id: ids.general,
    guild_id: ids.guild,
    author: users.ada,
    member: member("Ada", [ids.mods]),
    timestamp: "2025-06-01T12:00:00.000000+00:00",
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
    flags: 0,
    components: [],
    nonce: "1377000000000000000",
    channel_type: 0,
    ...fields,
  } as GatewayMessageCreateDispatchData;
}

/** Ada mentions the bot, Bob, a channel and a role. */
export const guildMention = message({
  id: "1200000000000000001",
  content: `<@${ids.bot}> what is <@${ids.bob}> doing in <#${ids.general}>? cc <@&${ids.mods}> <:wave:1234567890>`,
  mentions: [
    { ...users.bot, member: member(null, [ids.botRole]) },
    { ...users.bob, member: member(null) },
  ],
  mention_roles: [ids.mods],
});

/** Someone picked the bot's managed role from the "@" list instead of the bot. */
export const botRoleMention = message({
  id: "1200000000000000002",
  content: `<@&${ids.botRole}> persona storyteller`,
  mention_roles: [ids.botRole],
});

/** A reply to the bot with the ping switched off: no mention, only the reference. */
export const replyToBot = message({
  id: "1200000000000000003",
  type: 19,
  content: "and what about negative numbers?",
  message_reference: {
    type: 0,
    message_id: "1200000000000000090",
    channel_id: ids.general,
    guild_id: ids.guild,
  },
  referenced_message: message({
    id: "1200000000000000090",
    content: "**🎓 Tutor**\nPrimes are…",
    author: users.bot,
  }),
});

/** A reply to a persona's webhook message. */
export const replyToWebhook = message({
  id: "1200000000000000004",
  type: 19,
  content: "tell me more",
  message_reference: {
    type: 0,
    message_id: "1200000000000000091",
    channel_id: ids.general,
    guild_id: ids.guild,
  },
  referenced_message: message({
    id: "1200000000000000091",
    content: "Once upon a time…",
    author: { ...user(ids.webhook, "Storyteller", null, true), discriminator: "0000" },
    webhook_id: ids.webhook,
  }),
});

/** A DM: no server, no member, no mention needed. */
export const directMessage = message({
  id: "1200000000000000005",
  channel_id: ids.dm,
  guild_id: undefined,
  member: undefined,
  author: users.bob,
  content: "hi, can you help me with fractions?",
  channel_type: 1,
});

/** A follow-up in a thread, without a mention. */
export const threadFollowUp = message({
  id: "1200000000000000006",
  channel_id: ids.thread,
  content: "and 3/4?",
  channel_type: 11,
});

/** Another bot mentions this one: never answered. */
export const fromOtherBot = message({
  id: "1200000000000000007",
  author: users.robo,
  member: member(null),
  content: `<@${ids.bot}> ping`,
  mentions: [{ ...users.bot, member: member(null, [ids.botRole]) }],
});

/** A persona's own webhook message mentioning the bot: never answered either. */
export const fromWebhook = message({
  id: "1200000000000000008",
  author: { ...user(ids.webhook, "Storyteller", null, true), discriminator: "0000" },
  member: undefined,
  webhook_id: ids.webhook,
  content: `<@${ids.bot}> the end`,
  mentions: [{ ...users.bot, member: member(null, [ids.botRole]) }],
});

/** "@everyone" does not address the bot. */
export const everyone = message({
  id: "1200000000000000009",
  content: "@everyone lunch?",
  mention_everyone: true,
});

/** A system message (someone joined). */
export const memberJoined = message({ id: "1200000000000000010", content: "", type: 7 });
