/**
 * The fake Discord's state: users, servers with roles, channels (permission overwrites included, so
 * permission checks are real), members, threads, DMs, messages, webhooks and interactions. The
 * default world is small and named, so tests read like a story: Ada (a moderator: Manage Channels),
 * Bob (a member), Cleo (an admin: Manage Server), Olive (the owner), Robo (another bot).
 */
import { ChannelType, PermissionFlagsBits } from "discord.js";
import { nextSnowflake, snowflakeOnShard } from "./snowflakes.js";

export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  bot?: boolean;
}

export interface FakeRole {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  /** Set on the role Discord manages for a bot. */
  botId?: string;
}

export interface FakeOverwrite {
  id: string;
  /** 0 a role, 1 a member. */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface FakeChannel {
  id: string;
  type: ChannelType;
  name?: string;
  guildId?: string;
  parentId?: string;
  overwrites: FakeOverwrite[];
  /** Threads: who started it, archived / locked, whether the bot is a member. */
  ownerId?: string;
  archived?: boolean;
  locked?: boolean;
  botIsMember?: boolean;
  /** DMs: the person on the other side. */
  recipientId?: string;
}

export interface FakeMember {
  userId: string;
  nick: string | null;
  roles: string[];
}

export interface FakeGuild {
  id: string;
  name: string;
  ownerId: string;
  roles: FakeRole[];
  members: FakeMember[];
  channelIds: string[];
}

export interface FakeMessage {
  id: string;
  channelId: string;
  guildId?: string;
  authorId: string;
  /** Webhook messages carry the username and avatar they were posted with. */
  webhook?: { id: string; username: string; avatarUrl?: string };
  content: string;
  /** Every content the message had, oldest first: how an answer grew. */
  versions: { content: string; at: number }[];
  flags: number;
  type: number;
  replyTo?: string;
  deleted: boolean;
  interactionToken?: string;
  createdAt: number;
}

export interface FakeWebhook {
  id: string;
  token: string;
  channelId: string;
  guildId: string;
  name: string;
  applicationId: string;
}

/** Permissions every member has in the default server. */
export const EVERYONE_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.UseApplicationCommands;

export class World {
  readonly newId = nextSnowflake;
  readonly users = new Map<string, FakeUser>();
  readonly guilds = new Map<string, FakeGuild>();
  readonly channels = new Map<string, FakeChannel>();
  readonly messages = new Map<string, FakeMessage>();
  readonly webhooks = new Map<string, FakeWebhook>();

  constructor(
    readonly applicationId: string,
    readonly botUser: FakeUser,
  ) {
    this.users.set(botUser.id, botUser);
  }

  addUser(username: string, globalName: string | null, bot = false): FakeUser {
    const user: FakeUser = { id: this.newId(), username, global_name: globalName, ...(bot ? { bot } : {}) };
    this.users.set(user.id, user);
    return user;
  }

  addChannel(channel: Omit<FakeChannel, "id" | "overwrites"> & Partial<FakeChannel>): FakeChannel {
    const created: FakeChannel = { id: this.newId(), overwrites: [], ...channel };
    this.channels.set(created.id, created);
    if (created.guildId !== undefined && !isThread(created.type))
      this.guilds.get(created.guildId)?.channelIds.push(created.id);
    return created;
  }

  guildOf(channel: FakeChannel): FakeGuild | undefined {
    return channel.guildId === undefined ? undefined : this.guilds.get(channel.guildId);
  }

  member(guildId: string, userId: string): FakeMember | undefined {
    return this.guilds.get(guildId)?.members.find((member) => member.userId === userId);
  }

  threadsOf(guildId: string): FakeChannel[] {
    return [...this.channels.values()].filter(
      (channel) => channel.guildId === guildId && isThread(channel.type),
    );
  }

  /** A server with its @everyone role, the bot's managed role and the bot as a member. */
  addGuild(
    name: string,
    ownerId: string,
    shard?: { shard: number; shardCount: number; salt: number },
  ): FakeGuild {
    const id =
      shard === undefined ? this.newId() : snowflakeOnShard(shard.shard, shard.shardCount, shard.salt);
    const botRole: FakeRole = {
      id: this.newId(),
      name: this.botUser.username,
      position: 1,
      botId: this.botUser.id,
      permissions:
        EVERYONE_PERMISSIONS |
        PermissionFlagsBits.ManageWebhooks |
        PermissionFlagsBits.ManageThreads |
        PermissionFlagsBits.CreatePublicThreads,
    };
    const guild: FakeGuild = {
      id,
      name,
      ownerId,
      roles: [{ id, name: "@everyone", permissions: EVERYONE_PERMISSIONS, position: 0 }, botRole],
      members: [
        { userId: ownerId, nick: null, roles: [] },
        { userId: this.botUser.id, nick: null, roles: [botRole.id] },
      ],
      channelIds: [],
    };
    this.guilds.set(id, guild);
    return guild;
  }
}

export function isThread(type: ChannelType): boolean {
  return (
    type === ChannelType.PublicThread ||
    type === ChannelType.PrivateThread ||
    type === ChannelType.AnnouncementThread
  );
}
