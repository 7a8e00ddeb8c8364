/**
 * `npm run deploy:discord`: registers the slash commands with one bulk overwrite, globally, or in
 * DISCORD_GUILD_ID when it is set. A composition root like main.ts: config in, one call, a line out.
 */
import { commands } from "../commands/index.js";
import { loadConfigOrExit } from "./config.js";
import { createDiscordRest } from "./connectors/discord/discord-client.js";
import { discordErrorFields } from "./connectors/discord/discord-errors.js";
import { fetchApplicationId, registerCommands } from "./connectors/discord/discord-register-commands.js";

function fail(message: string): never {
  process.stderr.write(`deploy:discord: ${message}\n`);
  process.exit(1);
}

/** The one line that says what went wrong and what to do about it. */
function explain(error: unknown, guildId: string | undefined): string {
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

async function main(): Promise<void> {
  const config = loadConfigOrExit("deploy:discord");
  if (config.DISCORD_TOKEN === undefined)
    fail("DISCORD_TOKEN is not set. Example: DISCORD_TOKEN=MTA4...your-bot-token");
  const guildId = config.DISCORD_GUILD_ID;
  const rest = createDiscordRest({ token: config.DISCORD_TOKEN, apiUrl: config.DISCORD_API_URL });
  try {
    const applicationId = await fetchApplicationId(rest);
    const result = await registerCommands(rest, { applicationId, guildId, commands });
    const list = result.names.map((name) => `/${name}`).join(", ");
    process.stdout.write(
      guildId === undefined
        ? `Registered ${result.names.length} slash commands globally (${list}) for application ${applicationId}: in every server that has the bot, its DMs, and for people who installed the app themselves. Discord clients may take a few minutes to show changes.\n`
        : `Registered ${result.names.length} slash commands in server ${guildId} (${list}) for application ${applicationId}: usable there now.\n`,
    );
  } catch (error) {
    fail(explain(error, guildId));
  }
}

main().catch((error: unknown) => fail(`unexpected failure: ${(error as Error).stack ?? String(error)}`));
