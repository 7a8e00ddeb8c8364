/**
 * The chat platforms a configuration asks for: Discord when DISCORD_TOKEN is set, Slack when
 * SLACK_BOT_TOKEN is. Both may run in one process; with neither, main opens the terminal chat.
 * Each is imported only when asked for: discord.js and Bolt take a while to load, and the
 * terminal chat needs neither.
 */
import type { Config } from "../config.js";
import type { Connector } from "../connectors/connector.js";
import type { Bot } from "../core/bot.js";
import type { Logger } from "../lib/logger.js";

export interface PlatformConnector {
  connector: Connector;
  /** The variable to name when start-up fails, and where to get a good value. */
  variable: string;
  fix: string;
}

export async function createPlatformConnectors(
  config: Config,
  bot: Bot,
  logger: Logger,
): Promise<PlatformConnector[]> {
  const connectors: PlatformConnector[] = [];
  if (config.DISCORD_TOKEN !== undefined) {
    const { createDiscordConnector } = await import("../connectors/discord/discord-connector.js");
    connectors.push({
      connector: createDiscordConnector({
        bot,
        logger,
        token: config.DISCORD_TOKEN,
        apiUrl: config.DISCORD_API_URL,
        guildId: config.DISCORD_GUILD_ID,
        registerCommands: config.DISCORD_REGISTER_COMMANDS,
        autoThread: config.DISCORD_AUTO_THREAD,
        personaWebhooks: config.DISCORD_PERSONA_WEBHOOKS,
        shards: config.DISCORD_SHARDS,
      }),
      variable: "DISCORD_TOKEN",
      fix: "copy the bot token from the Discord developer portal (your application → Bot → Reset Token)",
    });
  }
  if (config.SLACK_BOT_TOKEN !== undefined) {
    const { createSlackConnector } = await import("../connectors/slack/slack-connector.js");
    connectors.push({
      connector: createSlackConnector({
        bot,
        logger,
        botToken: config.SLACK_BOT_TOKEN,
        appToken: config.SLACK_APP_TOKEN,
        signingSecret: config.SLACK_SIGNING_SECRET,
        apiUrl: config.SLACK_API_URL,
        port: config.PORT,
        adminUsers: config.SLACK_ADMIN_USERS,
        nativeStreaming: config.SLACK_NATIVE_STREAMING,
        updateIntervalMs: config.SLACK_UPDATE_INTERVAL_MS,
      }),
      variable: "SLACK_BOT_TOKEN",
      fix: "copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page",
    });
  }
  return connectors;
}
