/**
 * Slash commands and their autocomplete. Discord invalidates an interaction that is not answered or
 * deferred within 3 seconds, and an answer from the model takes longer: every command is deferred
 * first, before anything that awaits, and answered through the deferred reply.
 */
import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  GuildMember,
  type Interaction,
  InteractionContextType,
} from "discord.js";
import type { Bot } from "../../core/bot.js";
import type { Logger } from "../../lib/logger.js";
import { createInteractionSink } from "./discord-command-sink.js";
import { type InteractionFacts, interactionToIncoming } from "./discord-command-to-incoming.js";
import { DiscordErrorCode, discordErrorFields, hasDiscordCode } from "./discord-errors.js";
import { cleanText } from "./discord-incoming-text.js";
import type { Pacing } from "./discord-pacing.js";
import { commandOptions, personaChoices } from "./discord-slash-commands.js";

export interface InteractionHandlerOptions {
  bot: Bot;
  logger: Logger;
  pacing: Pacing;
  editIntervalMs: number;
}

const STALE_COMMAND =
  "This command is not known to me any more. An admin can refresh the commands with `npm run deploy:discord`.";

/** Reads what the mapping needs from discord.js's interaction (channel place, name, permissions). */
function factsOf(interaction: ChatInputCommandInteraction, text: string): InteractionFacts {
  const channel = interaction.channel;
  const thread = channel?.isThread() ? channel : undefined;
  const member = interaction.member;
  const name =
    member instanceof GuildMember
      ? member.displayName
      : (member?.nick ?? interaction.user.globalName ?? interaction.user.username);
  const place: InteractionFacts["place"] =
    interaction.guildId === null
      ? interaction.context === InteractionContextType.PrivateChannel
        ? "private"
        : "dm"
      : thread
        ? "thread"
        : "channel";
  return {
    guildId: interaction.guildId ?? undefined,
    channelId: interaction.channelId,
    place,
    parentId: thread?.parentId ?? undefined,
    user: { id: interaction.user.id, name },
    permissions: interaction.memberPermissions?.bitfield,
    text,
  };
}

export function createInteractionHandler(options: InteractionHandlerOptions) {
  const { bot } = options;
  const logger = options.logger.child({ event: "interaction" });

  async function autocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const option = bot.commands
      .find((command) => command.name === interaction.commandName)
      ?.options.find((candidate) => candidate.name === focused.name);
    const choices =
      option?.autocomplete === "persona" ? personaChoices(bot.personas, String(focused.value)) : [];
    try {
      await interaction.respond(choices);
    } catch (error) {
      // Typing fast makes Discord drop older autocomplete interactions: not worth more than debug.
      logger.debug(
        { command: interaction.commandName, ...discordErrorFields(error) },
        "autocomplete not delivered",
      );
    }
  }

  /** Mentions in option text become names, as in chat messages. */
  function readable(interaction: ChatInputCommandInteraction, value: string): string {
    return cleanText(value, {
      botUserId: interaction.client.user.id,
      botRoleIds: [],
      names: {
        user: (id) => (id === interaction.user.id ? interaction.user.displayName : "someone"),
        role: (id) => interaction.guild?.roles.cache.get(id)?.name,
        channel: (id) => {
          const channel = interaction.client.channels.cache.get(id);
          return channel !== undefined && "name" in channel ? (channel.name ?? undefined) : undefined;
        },
      },
    });
  }

  async function command(interaction: ChatInputCommandInteraction): Promise<void> {
    // First thing, no await before it: the 3-second rule.
    const deferral = interaction.deferReply();
    try {
      await deferral;
    } catch (error) {
      // 40060: another instance of the bot (same shard, a rolling deploy) answered it already.
      const elsewhere = hasDiscordCode(error, DiscordErrorCode.InteractionHasAlreadyBeenAcknowledged);
      logger[elsewhere ? "debug" : "warn"](
        { command: interaction.commandName, ...discordErrorFields(error) },
        elsewhere ? "interaction handled by another instance" : "could not defer a slash command",
      );
      return;
    }
    const sink = createInteractionSink({ ...options, interaction });
    const definition = bot.commands.find((candidate) => candidate.name === interaction.commandName);
    if (definition === undefined) {
      await sink.post(STALE_COMMAND, { ephemeral: true, error: true });
    } else {
      const values = interaction.options.data.map((option) => ({
        name: option.name,
        value: typeof option.value === "string" ? readable(interaction, option.value) : option.value,
      }));
      const parsed = commandOptions(definition, values);
      const message = interactionToIncoming(factsOf(interaction, parsed.prompt ?? ""));
      await bot.runCommand(definition.name, parsed, message, sink);
    }
    await sink.finish();
  }

  return async function handleInteraction(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) return autocomplete(interaction);
    if (interaction.isChatInputCommand()) return command(interaction);
  };
}
