/**
 * INTERACTION_CREATE as Discord sends it for a slash command (type 2) or its autocomplete (type 4):
 * the caller as a member with their permissions in the channel already computed (in a server) or as
 * a user (in a DM), the channel (a thread with its parent), the app's own permissions, and the
 * fields discord.js requires (`entitlements`, `authorizing_integration_owners`, `context`).
 */
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType } from "discord.js";
import type { OptionValue } from "./fake-discord.js";
import { channelJson, memberJson, userJson } from "./json.js";
import { permissionsIn } from "./permissions.js";
import type { FakeInteraction, FakeState } from "./state.js";

export function interactionJson(
  state: FakeState,
  interaction: FakeInteraction,
  options: OptionValue[],
): Record<string, unknown> {
  const { world } = state;
  const channel = world.channels.get(interaction.channelId);
  const guildId = interaction.guildId;
  const registered = [
    ...state.commands.global,
    ...(guildId === undefined ? [] : (state.commands.guild.get(guildId) ?? [])),
  ]
    .map((command) => command as { id?: string; name?: string })
    .find((command) => command.name === interaction.commandName);
  const member = guildId === undefined ? undefined : memberJson(world, guildId, interaction.userId);
  return {
    id: interaction.id,
    application_id: world.applicationId,
    type: interaction.type,
    token: interaction.token,
    version: 1,
    data: {
      id: registered?.id ?? world.newId(),
      name: interaction.commandName,
      type: ApplicationCommandType.ChatInput,
      options: options.map((option) => ({
        name: option.name,
        type: ApplicationCommandOptionType.String,
        value: option.value,
        ...(option.focused ? { focused: true } : {}),
      })),
      ...(guildId === undefined ? {} : { guild_id: guildId }),
    },
    ...(guildId === undefined
      ? {}
      : { guild_id: guildId, guild: { id: guildId, locale: "en-US", features: [] } }),
    channel_id: interaction.channelId,
    channel: channel === undefined ? undefined : channelJson(world, channel),
    ...(member === undefined
      ? { user: userJson(world, interaction.userId) }
      : {
          member: {
            ...member,
            permissions: permissionsIn(world, interaction.channelId, interaction.userId).toString(),
          },
        }),
    app_permissions: permissionsIn(world, interaction.channelId, world.botUser.id).toString(),
    locale: "en-US",
    ...(guildId === undefined ? {} : { guild_locale: "en-US" }),
    entitlements: [],
    authorizing_integration_owners: guildId === undefined ? { "1": interaction.userId } : { "0": guildId },
    context: guildId === undefined ? InteractionContextType.BotDM : InteractionContextType.Guild,
    attachment_size_limit: 10_485_760,
  };
}
