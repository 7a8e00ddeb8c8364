/**
 * The fake's state as Discord's JSON: users, members, roles, channels, servers (the whole
 * GUILD_CREATE), and messages with the gateway's extra fields (`guild_id`, `member`, mentions with
 * their members, the referenced message).
 */
import { ChannelType } from "discord.js";
import { mentionsOf } from "./mentions.js";
import {
  type FakeChannel,
  type FakeGuild,
  type FakeMessage,
  type FakeRole,
  isThread,
  type World,
} from "./world.js";

type Json = Record<string, unknown>;

const iso = (at: number) => new Date(at).toISOString();
const joinedAt = "2024-01-01T00:00:00.000Z";

export function userJson(world: World, id: string): Json {
  const user = world.users.get(id);
  return {
    id,
    username: user?.username ?? "deleted-user",
    discriminator: "0",
    global_name: user?.global_name ?? null,
    avatar: null,
    ...(user?.bot ? { bot: true } : {}),
    public_flags: 0,
  };
}

export function memberJson(world: World, guildId: string, userId: string, withUser = true): Json | undefined {
  const member = world.member(guildId, userId);
  if (member === undefined) return undefined;
  return {
    ...(withUser ? { user: userJson(world, userId) } : {}),
    nick: member.nick,
    roles: member.roles,
    joined_at: joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    avatar: null,
    communication_disabled_until: null,
  };
}

function roleJson(role: FakeRole): Json {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: role.botId !== undefined,
    mentionable: false,
    flags: 0,
    ...(role.botId === undefined ? {} : { tags: { bot_id: role.botId } }),
  };
}

export function channelJson(world: World, channel: FakeChannel): Json {
  if (channel.type === ChannelType.DM) {
    return {
      id: channel.id,
      type: channel.type,
      last_message_id: null,
      recipients: [userJson(world, channel.recipientId ?? "")],
    };
  }
  const base: Json = {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    parent_id: channel.parentId ?? null,
    last_message_id: null,
    rate_limit_per_user: 0,
    nsfw: false,
  };
  if (isThread(channel.type)) {
    return {
      ...base,
      owner_id: channel.ownerId,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      flags: 0,
      thread_metadata: {
        archived: channel.archived ?? false,
        locked: channel.locked ?? false,
        auto_archive_duration: 1440,
        archive_timestamp: joinedAt,
        create_timestamp: joinedAt,
      },
      // The current user's thread membership, as Discord includes it for threads the bot is in.
      ...(channel.botIsMember ? { member: { join_timestamp: joinedAt, flags: 0 } } : {}),
    };
  }
  return {
    ...base,
    position: 0,
    topic: null,
    default_auto_archive_duration: 1440,
    permission_overwrites: channel.overwrites.map((overwrite) => ({
      id: overwrite.id,
      type: overwrite.type,
      allow: overwrite.allow.toString(),
      deny: overwrite.deny.toString(),
    })),
  };
}

/** GUILD_CREATE: the whole server, the way the Guilds intent delivers it after READY. */
export function guildCreateJson(world: World, guild: FakeGuild): Json {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 1,
    explicit_content_filter: 0,
    mfa_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: "en-US",
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    features: [],
    emojis: [],
    stickers: [],
    roles: guild.roles.map(roleJson),
    joined_at: joinedAt,
    large: false,
    unavailable: false,
    member_count: guild.members.length,
    members: guild.members.map((member) => memberJson(world, guild.id, member.userId)),
    channels: guild.channelIds.flatMap((id) => {
      const channel = world.channels.get(id);
      return channel === undefined ? [] : [channelJson(world, channel)];
    }),
    threads: world.threadsOf(guild.id).map((thread) => channelJson(world, thread)),
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** A message as REST returns it and MESSAGE_CREATE carries it (gateway extras included). */
export function messageJson(world: World, message: FakeMessage, nested = false): Json {
  const channel = world.channels.get(message.channelId);
  const mentions = mentionsOf(message.content);
  const author = message.webhook
    ? {
        id: message.webhook.id,
        username: message.webhook.username,
        avatar: null,
        discriminator: "0000",
        bot: true,
      }
    : userJson(world, message.authorId);
  const referenced = message.replyTo === undefined ? undefined : world.messages.get(message.replyTo);
  const member =
    message.guildId === undefined || message.webhook
      ? undefined
      : memberJson(world, message.guildId, message.authorId, false);
  return {
    id: message.id,
    channel_id: message.channelId,
    ...(message.guildId === undefined ? {} : { guild_id: message.guildId }),
    ...(member === undefined ? {} : { member }),
    author,
    content: message.content,
    timestamp: iso(message.createdAt),
    edited_timestamp:
      message.versions.length > 1 ? iso(message.versions.at(-1)?.at ?? message.createdAt) : null,
    tts: false,
    mention_everyone: false,
    mentions: mentions.users.flatMap((id) => {
      if (!world.users.has(id)) return [];
      const mentioned =
        message.guildId === undefined ? undefined : memberJson(world, message.guildId, id, false);
      return [{ ...userJson(world, id), ...(mentioned ? { member: mentioned } : {}) }];
    }),
    mention_roles: mentions.roles,
    attachments: [],
    embeds: [],
    pinned: false,
    type: message.type,
    flags: message.flags,
    components: [],
    ...(channel === undefined ? {} : { channel_type: channel.type }),
    ...(message.webhook ? { webhook_id: message.webhook.id, application_id: world.applicationId } : {}),
    ...(message.replyTo === undefined || nested
      ? {}
      : {
          message_reference: { type: 0, message_id: message.replyTo, channel_id: message.channelId },
          referenced_message:
            referenced === undefined || referenced.deleted ? null : messageJson(world, referenced, true),
        }),
  };
}
