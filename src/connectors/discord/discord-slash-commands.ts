/**
 * The platform-neutral commands rendered as Discord slash commands: their JSON for registration,
 * persona autocomplete, and option values back into CommandOptions.
 */
import {
  type APIApplicationCommandBasicOption,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import type { Command, CommandOptions } from "../../core/command.js";
import type { PersonaCatalog } from "../../core/persona.js";

/** Discord's limits: descriptions and choice names at most 100 characters, at most 25 choices. */
const TEXT_LIMIT = 100;
const CHOICE_LIMIT = 25;

function clip(text: string, limit = TEXT_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/**
 * Global commands are usable wherever the app is: servers that installed it (integration type 0),
 * and by people who installed it for themselves (type 1), in servers, the bot's DMs and private
 * channels (contexts 0, 1, 2). Server commands take neither field: they exist in that server only.
 */
export function renderCommands(
  commands: readonly Command[],
  scope: "global" | "guild",
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return commands.map((command) => {
    // Discord requires the required options first.
    const ordered = [...command.options].sort(
      (a, b) => Number(b.required ?? false) - Number(a.required ?? false),
    );
    const options = ordered.map((option): APIApplicationCommandBasicOption => {
      const base = {
        type: ApplicationCommandOptionType.String as const,
        name: option.name,
        description: clip(option.description),
        required: option.required ?? false,
      };
      // Discord refuses autocomplete together with fixed choices.
      if (option.autocomplete) return { ...base, autocomplete: true };
      if (option.choices) {
        return { ...base, choices: option.choices.slice(0, CHOICE_LIMIT).map((choice) => ({ ...choice })) };
      }
      return base;
    });
    const body: RESTPostAPIChatInputApplicationCommandsJSONBody = {
      type: ApplicationCommandType.ChatInput,
      name: command.name,
      description: clip(command.description),
      options,
    };
    if (scope === "global") {
      body.integration_types = [
        ApplicationIntegrationType.GuildInstall,
        ApplicationIntegrationType.UserInstall,
      ];
      body.contexts = [
        InteractionContextType.Guild,
        InteractionContextType.BotDM,
        InteractionContextType.PrivateChannel,
      ];
    }
    return body;
  });
}

/**
 * Autocomplete for a persona option: name and description, filtered by what was typed: names that
 * start with it first, then any persona whose name or description contains it.
 */
export function personaChoices(personas: PersonaCatalog, typed: string): { name: string; value: string }[] {
  const query = typed.trim().toLowerCase();
  const ranked = personas
    .list()
    .map((persona) => {
      const names = [persona.name, persona.displayName.toLowerCase()];
      const rank =
        query === "" || names.some((name) => name.startsWith(query))
          ? 0
          : [...names, persona.description.toLowerCase()].some((text) => text.includes(query))
            ? 1
            : undefined;
      return { persona, rank };
    })
    .filter((entry): entry is typeof entry & { rank: number } => entry.rank !== undefined)
    .sort((a, b) => a.rank - b.rank);
  return ranked.slice(0, CHOICE_LIMIT).map(({ persona }) => ({
    name: clip(`${persona.emoji ? `${persona.emoji} ` : ""}${persona.displayName}: ${persona.description}`),
    value: persona.name,
  }));
}

/** The options Discord sent, as CommandOptions: only the command's own string options. */
export function commandOptions(
  command: Command,
  values: readonly { name: string; value?: string | number | boolean }[],
): CommandOptions {
  const options: Record<string, string | undefined> = {};
  for (const option of command.options) {
    const value = values.find((candidate) => candidate.name === option.name)?.value;
    if (value !== undefined) options[option.name] = String(value);
  }
  return options;
}
