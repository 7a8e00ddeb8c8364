/**
 * The chat platforms a configuration asks for: Discord when DISCORD_TOKEN is set, Slack when
 * SLACK_BOT_TOKEN is. Both may run in one process; with neither, main opens the terminal chat.
 * Each is imported only when asked for: discord.js and Bolt take a while to load, and the
 * terminal chat needs neither.
 *
 * A platform that refuses troupe for good while it runs (a revoked token, a refused intent) stops
 * the process through `requestShutdown` with exit code 1 and one line: the variable, the reason,
 * the fix. A service manager that restarts on failure then sees a failure, not a clean stop.
 */
import type { Config } from "../config.js";
import type { Connector, OnFatal, PlatformFatalError } from "../connectors/connector.js";
import type { Bot } from "../core/bot.js";
import type { Logger } from "../lib/logger.js";
import { avatarHandler } from "./service/avatar-route.js";
import type { RequestShutdown } from "./shutdown.js";

/** The exit code of a stop a platform forced: the same as a bad configuration at start-up. */
export const PLATFORM_FATAL_EXIT_CODE = 1;

export interface PlatformConnector {
  connector: Connector;
  /** The variable to name when start-up fails, and where to get a good value. */
  variable: string;
  fix: string;
}

/** `DISCORD_TOKEN: Discord refused the token (gateway close 4004). Fix: copy … .` */
export function fatalLine(variable: string, error: PlatformFatalError): string {
  return `${error.variable ?? variable}: ${error.message}. Fix: ${error.fix.replace(/\.$/, "")}.`;
}

/**
 * With no platform token main opens the terminal chat: the rule createPlatformConnectors follows,
 * asked before anything starts (the log must know whether to keep off the chat's screen).
 */
export function opensTerminalChat(settings: Pick<Config, "DISCORD_TOKEN" | "SLACK_BOT_TOKEN">): boolean {
  return settings.DISCORD_TOKEN === undefined && settings.SLACK_BOT_TOKEN === undefined;
}

const importDiscord = () => import("../connectors/discord/discord-connector.js");
const importSlack = () => import("../connectors/slack/slack-connector.js");

/**
 * Starts loading the platform modules the configuration asks for, before the personas, the store
 * and the model: loading discord.js or Bolt is most of start-up, and it fills the waits for files,
 * SQLite and the model's server instead of following them. createPlatformConnectors imports the
 * same modules later and gets this load (Node loads a module once). A failed load surfaces there.
 */
export function preloadPlatformModules(settings: Pick<Config, "DISCORD_TOKEN" | "SLACK_BOT_TOKEN">): void {
  const ignore = () => undefined;
  if (settings.DISCORD_TOKEN !== undefined) importDiscord().catch(ignore);
  if (settings.SLACK_BOT_TOKEN !== undefined) importSlack().catch(ignore);
}

export async function createPlatformConnectors(
  config: Config,
  bot: Bot,
  logger: Logger,
  requestShutdown: RequestShutdown,
  /** False while troupe stops: Slack's HTTP receiver answers 503 (see draining-bot.ts). */
  accepting?: () => boolean,
): Promise<PlatformConnector[]> {
  const onFatal =
    (variable: string): OnFatal =>
    (error) =>
      requestShutdown(fatalLine(variable, error), PLATFORM_FATAL_EXIT_CODE);
  const connectors: PlatformConnector[] = [];
  if (config.DISCORD_TOKEN !== undefined) {
    const { createDiscordConnector } = await importDiscord();
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
        publicUrl: config.PUBLIC_URL,
        shards: config.DISCORD_SHARDS,
        shardIds: config.DISCORD_SHARD_IDS,
        onFatal: onFatal("DISCORD_TOKEN"),
      }),
      variable: "DISCORD_TOKEN",
      fix: "copy the bot token from the Discord developer portal (your application → Bot → Reset Token)",
    });
  }
  if (config.SLACK_BOT_TOKEN !== undefined) {
    const { createSlackConnector } = await importSlack();
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
        accepting,
        publicUrl: config.PUBLIC_URL,
        // Slack's HTTP mode serves the pictures too, so PUBLIC_URL may be the Slack events host.
        ...(config.PUBLIC_URL === undefined ? {} : { avatars: avatarHandler(config, logger) }),
        onFatal: onFatal("SLACK_BOT_TOKEN"),
      }),
      variable: "SLACK_BOT_TOKEN",
      fix: "copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page",
    });
  }
  return connectors;
}
