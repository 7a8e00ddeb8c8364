/**
 * What the message mapping needs beyond the payload, read from discord.js's caches (filled by the
 * Guilds intent): where the channel sits (a thread and its parent, whether the bot is in it), the
 * bot's managed role, role and channel names, and the author's permissions.
 */
import { ChannelType, type Client, type Guild, OverwriteType } from "discord.js";
import type { ChannelPlace, MessageContext } from "./discord-message-to-incoming.js";
import type { MessagePayload } from "./discord-payloads.js";
import { computePermissions, type PermissionOverwrite } from "./discord-permissions.js";

export interface ContextReader {
  /** Everything but the permissions: enough to decide whether the bot is addressed. */
  read(payload: MessagePayload, options?: { fetchUnknown?: boolean }): Promise<MessageContext>;
  /** The author's permissions in the channel (a thread's parent). */
  permissions(payload: MessagePayload, place: ChannelPlace): bigint | undefined;
}

export interface ContextReaderOptions {
  client: Client;
  isOwnWebhook(webhookId: string): boolean;
  /** Threads the bot answered in or opened, before Discord's membership update arrives. */
  inThread(threadId: string): boolean;
}

const THREADABLE: ReadonlySet<ChannelType> = new Set([ChannelType.GuildText, ChannelType.GuildAnnouncement]);

export function createContextReader(options: ContextReaderOptions): ContextReader {
  const { client } = options;
  const botUserId = () => client.user?.id ?? "";

  async function channelOf(id: string, fetchUnknown: boolean) {
    const cached = client.channels.cache.get(id);
    if (cached !== undefined || !fetchUnknown) return cached;
    // Not in the cache (rare with the Guilds intent): ask Discord, and treat a refusal as a plain channel.
    return (await client.channels.fetch(id).catch(() => null)) ?? undefined;
  }

  async function placeOf(payload: MessagePayload, fetchUnknown: boolean): Promise<ChannelPlace> {
    if (payload.guild_id === undefined) return { kind: "dm" };
    const channel = await channelOf(payload.channel_id, fetchUnknown);
    if (channel?.isThread()) {
      return {
        kind: "thread",
        id: channel.id,
        parentId: channel.parentId ?? channel.id,
        botIsMember: channel.joined || channel.ownerId === botUserId() || options.inThread(channel.id),
      };
    }
    return {
      kind: "channel",
      id: payload.channel_id,
      canOpenThreads: channel !== undefined && THREADABLE.has(channel.type),
    };
  }

  function guildOf(payload: MessagePayload): Guild | undefined {
    return payload.guild_id === undefined ? undefined : client.guilds.cache.get(payload.guild_id);
  }

  return {
    async read(payload, readOptions = {}) {
      const guild = guildOf(payload);
      const botRole = guild?.roles.botRoleFor(botUserId());
      return {
        botUserId: botUserId(),
        botRoleIds: botRole ? [botRole.id] : [],
        isOwnWebhook: options.isOwnWebhook,
        place: await placeOf(payload, readOptions.fetchUnknown ?? false),
        names: {
          role: (id) => guild?.roles.cache.get(id)?.name,
          channel: (id) => {
            const channel = client.channels.cache.get(id);
            return channel !== undefined && "name" in channel ? (channel.name ?? undefined) : undefined;
          },
        },
      };
    },

    permissions(payload, place) {
      const guild = guildOf(payload);
      if (guild === undefined || payload.guild_id === undefined || place.kind === "dm") return undefined;
      const source = client.channels.cache.get(place.kind === "thread" ? place.parentId : place.id);
      const overwrites: PermissionOverwrite[] =
        source !== undefined && "permissionOverwrites" in source
          ? source.permissionOverwrites.cache.map((overwrite) => ({
              id: overwrite.id,
              type: overwrite.type === OverwriteType.Role ? "role" : "member",
              allow: overwrite.allow.bitfield,
              deny: overwrite.deny.bitfield,
            }))
          : [];
      return computePermissions({
        userId: payload.author.id,
        guildId: guild.id,
        ownerId: guild.ownerId,
        memberRoleIds: payload.member?.roles ?? [],
        rolePermissions: new Map(guild.roles.cache.map((role) => [role.id, role.permissions.bitfield])),
        overwrites,
      });
    },
  };
}
