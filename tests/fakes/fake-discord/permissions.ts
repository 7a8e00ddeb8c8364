/**
 * The fake's own permission check (as Discord documents it), so the fake refuses what Discord would:
 * a write without Send Messages, a webhook without Manage Webhooks, a thread without Create Public
 * Threads. It also fills the `permissions` of an interaction's member, as Discord does.
 */
import { PermissionFlagsBits, PermissionsBitField } from "discord.js";
import { isThread, type World } from "./world.js";

export function permissionsIn(world: World, channelId: string, userId: string): bigint {
  const channel = world.channels.get(channelId);
  if (channel === undefined) return 0n;
  // A DM: its two people may write and read.
  if (channel.guildId === undefined)
    return PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages;
  const guild = world.guildOf(channel);
  const member = guild === undefined ? undefined : world.member(guild.id, userId);
  if (guild === undefined || member === undefined) return 0n;
  if (guild.ownerId === userId) return PermissionsBitField.All;
  let permissions = 0n;
  for (const role of guild.roles) {
    if (role.id === guild.id || member.roles.includes(role.id)) permissions |= role.permissions;
  }
  if (permissions & PermissionFlagsBits.Administrator) return PermissionsBitField.All;
  // Threads take their parent's overwrites.
  const source = isThread(channel.type) ? world.channels.get(channel.parentId ?? "") : channel;
  const overwrites = source?.overwrites ?? [];
  const apply = (allow: bigint, deny: bigint) => {
    permissions = (permissions & ~deny) | allow;
  };
  const everyone = overwrites.find((overwrite) => overwrite.type === 0 && overwrite.id === guild.id);
  if (everyone) apply(everyone.allow, everyone.deny);
  const roles = overwrites.filter((overwrite) => overwrite.type === 0 && member.roles.includes(overwrite.id));
  apply(
    roles.reduce((bits, overwrite) => bits | overwrite.allow, 0n),
    roles.reduce((bits, overwrite) => bits | overwrite.deny, 0n),
  );
  const own = overwrites.find((overwrite) => overwrite.type === 1 && overwrite.id === userId);
  if (own) apply(own.allow, own.deny);
  return permissions;
}

export function can(world: World, channelId: string, userId: string, flag: bigint): boolean {
  return (permissionsIn(world, channelId, userId) & flag) === flag;
}
