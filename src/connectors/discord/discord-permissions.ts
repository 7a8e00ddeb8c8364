/**
 * A member's permissions in a channel, computed the way Discord does from the server's roles and the
 * channel's permission overwrites (a thread uses its parent's): the owner and administrators have
 * everything; otherwise @everyone and the member's roles, then the channel's @everyone overwrite,
 * its role overwrites together, and last the member's own overwrite. A MESSAGE_CREATE carries the
 * author's role ids but not their permissions, so the connector works them out here.
 */
import { PermissionFlagsBits, PermissionsBitField } from "discord.js";

export interface PermissionOverwrite {
  id: string;
  type: "role" | "member";
  allow: bigint;
  deny: bigint;
}

export interface PermissionInputs {
  userId: string;
  guildId: string;
  ownerId: string;
  memberRoleIds: readonly string[];
  /** Every role of the server by id, @everyone (whose id is the server's) included. */
  rolePermissions: ReadonlyMap<string, bigint>;
  overwrites: readonly PermissionOverwrite[];
}

export function computePermissions(input: PermissionInputs): bigint {
  if (input.userId === input.ownerId) return PermissionsBitField.All;
  let permissions = input.rolePermissions.get(input.guildId) ?? 0n;
  for (const roleId of input.memberRoleIds) permissions |= input.rolePermissions.get(roleId) ?? 0n;
  if ((permissions & PermissionFlagsBits.Administrator) !== 0n) return PermissionsBitField.All;

  const everyone = input.overwrites.find(
    (overwrite) => overwrite.type === "role" && overwrite.id === input.guildId,
  );
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const overwrite of input.overwrites) {
    if (overwrite.type === "role" && input.memberRoleIds.includes(overwrite.id)) {
      allow |= overwrite.allow;
      deny |= overwrite.deny;
    }
  }
  permissions = (permissions & ~deny) | allow;
  const own = input.overwrites.find(
    (overwrite) => overwrite.type === "member" && overwrite.id === input.userId,
  );
  if (own) permissions = (permissions & ~own.deny) | own.allow;
  return permissions;
}

export interface BindingRights {
  canManageChannel: boolean;
  canManageServer: boolean;
}

/** A DM has one person in it: its "channel" is theirs to set; there is no server. */
export const DM_RIGHTS: BindingRights = { canManageChannel: true, canManageServer: false };

/** Who may bind a persona beyond the conversation: Manage Channels for a channel, Manage Server for the server. */
export function bindingRights(permissions: bigint | undefined): BindingRights {
  const has = (flag: bigint) => permissions !== undefined && (permissions & flag) === flag;
  return {
    canManageChannel: has(PermissionFlagsBits.ManageChannels),
    canManageServer: has(PermissionFlagsBits.ManageGuild),
  };
}
