/** Permissions computed from a server's roles and a channel's overwrites, as GUILD_CREATE carries them. */
import {
  type APIOverwrite,
  type APIRole,
  OverwriteType,
  PermissionFlagsBits,
  PermissionsBitField,
  type RoleFlags,
} from "discord.js";
import { describe, expect, it } from "vitest";
import { bindingRights, computePermissions } from "../../../src/connectors/discord/discord-permissions.js";

const guildId = "900";
const role = (id: string, name: string, permissions: bigint): APIRole => ({
  id,
  name,
  color: 0,
  colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
  hoist: false,
  icon: null,
  unicode_emoji: null,
  position: 0,
  permissions: permissions.toString(),
  managed: false,
  mentionable: false,
  flags: 0 as RoleFlags,
});
const roles: APIRole[] = [
  role(guildId, "@everyone", PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages),
  role("901", "Mods", PermissionFlagsBits.ManageChannels),
  role("902", "Admins", PermissionFlagsBits.Administrator),
];
const overwrite = (id: string, type: OverwriteType, allow: bigint, deny: bigint): APIOverwrite => ({
  id,
  type,
  allow: allow.toString(),
  deny: deny.toString(),
});

function permissions(userId: string, memberRoleIds: string[], overwrites: APIOverwrite[] = []) {
  return computePermissions({
    userId,
    guildId,
    ownerId: "1",
    memberRoleIds,
    rolePermissions: new Map(roles.map((entry) => [entry.id, BigInt(entry.permissions)])),
    overwrites: overwrites.map((entry) => ({
      id: entry.id,
      type: entry.type === OverwriteType.Role ? "role" : "member",
      allow: BigInt(entry.allow),
      deny: BigInt(entry.deny),
    })),
  });
}

describe("discord permissions", () => {
  it("gives the owner and administrators everything", () => {
    expect(permissions("1", [])).toBe(PermissionsBitField.All);
    expect(permissions("5", ["902"])).toBe(PermissionsBitField.All);
  });

  it("adds roles to @everyone, then applies @everyone, role and member overwrites in that order", () => {
    const mod = permissions("5", ["901"]);
    expect(bindingRights(mod)).toEqual({ canManageChannel: true, canManageServer: false });
    const denied = permissions(
      "5",
      ["901"],
      [overwrite("901", OverwriteType.Role, 0n, PermissionFlagsBits.ManageChannels)],
    );
    expect(bindingRights(denied).canManageChannel).toBe(false);
    const grantedToOne = permissions(
      "6",
      [],
      [
        overwrite(guildId, OverwriteType.Role, 0n, PermissionFlagsBits.SendMessages),
        overwrite(
          "6",
          OverwriteType.Member,
          PermissionFlagsBits.ManageChannels | PermissionFlagsBits.SendMessages,
          0n,
        ),
      ],
    );
    expect(grantedToOne & PermissionFlagsBits.SendMessages).toBe(PermissionFlagsBits.SendMessages);
    expect(bindingRights(grantedToOne).canManageChannel).toBe(true);
    const mutedEveryone = permissions(
      "7",
      [],
      [overwrite(guildId, OverwriteType.Role, 0n, PermissionFlagsBits.SendMessages)],
    );
    expect(mutedEveryone & PermissionFlagsBits.SendMessages).toBe(0n);
  });

  it("gives no rights when the permissions are unknown", () => {
    expect(bindingRights(undefined)).toEqual({ canManageChannel: false, canManageServer: false });
  });
});
