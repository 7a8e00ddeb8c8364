/**
 * `npm run deploy:discord`'s one step: register the slash commands with one bulk overwrite,
 * globally, or in DISCORD_GUILD_ID when it is set, and say so in one line a person can act on. A
 * failure is a FatalError whose line says what Discord refused and what to do about it. Loaded by
 * the deploy command only: it brings discord.js with it.
 */
import { commands } from "../../commands/index.js";
import type { Config } from "../config.js";
import { createDiscordRest } from "../connectors/discord/discord-client.js";
import { discordErrorFields } from "../connectors/discord/discord-errors.js";
import { fetchApplicationId, registerCommands } from "../connectors/discord/discord-register-commands.js";
import { FatalError } from "./fatal.js";

export type DeploySettings = Pick<Config, "DISCORD_TOKEN" | "DISCORD_API_URL" | "DISCORD_GUILD_ID">;

/** Registers the commands; resolves with the line to print. */
export async function deployDiscordCommands(settings: DeploySettings): Promise<string> {
  if (settings.DISCORD_TOKEN === undefined)
    throw new FatalError("DISCORD_TOKEN is not set. Example: DISCORD_TOKEN=MTA4...your-bot-token");
  const guildId = settings.DISCORD_GUILD_ID;
  const rest = createDiscordRest({ token: settings.DISCORD_TOKEN, apiUrl: settings.DISCORD_API_URL });
  try {
    const applicationId = await fetchApplicationId(rest);
    const result = await registerCommands(rest, { applicationId, guildId, commands });
    return describeRegistered(result.names, applicationId, guildId);
  } catch (error) {
    throw new FatalError(explainDeployFailure(error, guildId), { cause: error });
  }
}

function describeRegistered(names: readonly string[], applicationId: string, guildId: string | undefined) {
  const list = names.map((name) => `/${name}`).join(", ");
  return guildId === undefined
    ? `Registered ${names.length} slash commands globally (${list}) for application ${applicationId}: in every server that has the bot, its DMs, and for people who installed the app themselves. Discord clients may take a few minutes to show changes.`
    : `Registered ${names.length} slash commands in server ${guildId} (${list}) for application ${applicationId}: usable there now.`;
}

/** The one line that says what went wrong and what to do about it. */
function explainDeployFailure(error: unknown, guildId: string | undefined): string {
  const fields = discordErrorFields(error);
  const reason = String(fields.reason ?? "unknown error");
  if (fields.status === 401)
    return "Discord rejected DISCORD_TOKEN (401). Copy the bot token again from the Developer Portal › Bot.";
  if (fields.status === 403 || fields.status === 404) {
    return guildId === undefined
      ? `Discord refused the registration: ${reason}.`
      : `Discord refused to register commands in server ${guildId}: ${reason}. Is the bot in that server, invited with the applications.commands scope?`;
  }
  if (fields.status === undefined)
    return `cannot reach Discord: ${reason}${fields.cause ? ` (${String(fields.cause)})` : ""}.`;
  return `Discord refused the registration (${String(fields.status)}): ${reason}.`;
}
