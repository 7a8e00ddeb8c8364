/**
 * The world a test starts in. One server, "Troupe Test", owned by Olive:
 * - #general: everyone talks; the bot may do all it needs (webhooks and threads included);
 * - #no-hooks: the bot is denied Manage Webhooks (persona faces fall back to a header);
 * - #read-only: the bot is denied Send Messages (its writes are refused with 50013);
 * - roles: Mods (Manage Channels) for Ada, Admins (Manage Server) for Cleo; Bob has none.
 * With two shards, a second server ("Second", #lobby) lives on shard 1.
 */
import { ChannelType, PermissionFlagsBits } from "discord.js";
import { nextSnowflake } from "./snowflakes.js";
import { World } from "./world.js";

export interface WorldIds {
  app: string;
  bot: string;
  guild: string;
  general: string;
  noHooks: string;
  readOnly: string;
  botRole: string;
  mods: string;
  admins: string;
  ada: string;
  bob: string;
  cleo: string;
  olive: string;
  robo: string;
  /** More text channels (like #general), for load: `extraChannels`. */
  extra: string[];
  /** With two or more shards: a server on shard 1 and its channel. */
  secondGuild?: string;
  lobby?: string;
}

export interface DefaultWorldOptions {
  extraChannels?: number;
  shardCount?: number;
}

export function createDefaultWorld(options: DefaultWorldOptions = {}): { world: World; ids: WorldIds } {
  const shardCount = options.shardCount ?? 1;
  const applicationId = nextSnowflake();
  const world = new World(applicationId, {
    id: nextSnowflake(),
    username: "Troupe",
    global_name: null,
    bot: true,
  });
  const olive = world.addUser("olive", "Olive");
  const ada = world.addUser("ada", "Ada Lovelace");
  const bob = world.addUser("bob", null);
  const cleo = world.addUser("cleo", "Cleo");
  const robo = world.addUser("robo", "Robo", true);

  const guild = world.addGuild(
    "Troupe Test",
    olive.id,
    shardCount > 1 ? { shard: 0, shardCount, salt: 1 } : undefined,
  );
  const mods = {
    id: world.newId(),
    name: "Mods",
    permissions: PermissionFlagsBits.ManageChannels,
    position: 2,
  };
  const admins = {
    id: world.newId(),
    name: "Admins",
    permissions: PermissionFlagsBits.ManageGuild,
    position: 3,
  };
  guild.roles.push(mods, admins);
  guild.members.push(
    { userId: ada.id, nick: "Ada", roles: [mods.id] },
    { userId: bob.id, nick: null, roles: [] },
    { userId: cleo.id, nick: null, roles: [admins.id] },
    { userId: robo.id, nick: null, roles: [] },
  );
  const botRole = guild.roles.find((role) => role.botId === world.botUser.id)?.id ?? "";

  const text = (name: string) => world.addChannel({ type: ChannelType.GuildText, name, guildId: guild.id });
  const general = text("general");
  const noHooks = text("no-hooks");
  noHooks.overwrites.push({ id: botRole, type: 0, allow: 0n, deny: PermissionFlagsBits.ManageWebhooks });
  const readOnly = text("read-only");
  readOnly.overwrites.push({ id: botRole, type: 0, allow: 0n, deny: PermissionFlagsBits.SendMessages });
  const extra = Array.from(
    { length: options.extraChannels ?? 0 },
    (_, index) => text(`room-${index + 1}`).id,
  );

  const ids: WorldIds = {
    app: applicationId,
    bot: world.botUser.id,
    guild: guild.id,
    general: general.id,
    noHooks: noHooks.id,
    readOnly: readOnly.id,
    botRole,
    mods: mods.id,
    admins: admins.id,
    ada: ada.id,
    bob: bob.id,
    cleo: cleo.id,
    olive: olive.id,
    robo: robo.id,
    extra,
  };
  if (shardCount > 1) {
    const second = world.addGuild("Second", olive.id, { shard: 1, shardCount, salt: 2 });
    second.members.push({ userId: bob.id, nick: null, roles: [] });
    ids.secondGuild = second.id;
    ids.lobby = world.addChannel({ type: ChannelType.GuildText, name: "lobby", guildId: second.id }).id;
  }
  return { world, ids };
}
