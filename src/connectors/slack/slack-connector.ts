/**
 * The Slack connector: checks SLACK_BOT_TOKEN (auth.test), then runs a Bolt app in Socket Mode or
 * on the HTTP Events API, and turns mentions, DMs, thread replies and slash commands into calls on
 * the bot with a Slack reply sink. Every handler runs inside a catch-all: a Slack error is logged,
 * never fatal, and never stops the next event. The one fatal case: Socket Mode cannot reconnect
 * (a revoked app-level token), reported to `onFatal` so the process stops with a non-zero code.
 */

import escapeStringRegexp from "escape-string-regexp";
import type { Bot } from "../../core/bot.js";
import type { Logger } from "../../lib/logger.js";
import { createTtlCache } from "../../lib/ttl-cache.js";
import type { Connector, OnFatal } from "../connector.js";
import { PlatformRefusedError } from "../shared/start-errors.js";
import { checkBotToken, slackUnreachable } from "./slack-auth.js";
import { type BoltApp, createBoltApp, type HttpHandler } from "./slack-client.js";
import { AUTH_ERRORS, describeSlackError } from "./slack-errors.js";
import { createSlashCommandHandler, type Respond } from "./slack-on-command.js";
import { createEventHandler } from "./slack-on-message.js";
import { handleSlackReaction } from "./slack-on-reaction.js";
import { createSinkContext } from "./slack-sink-context.js";
import { createUserDirectory } from "./slack-users.js";
import { createSlackApi, slackApiBase } from "./slack-web-api.js";

/** Thrown by start() when a token or the set-up is wrong; its message names the variable and the fix. */
export { SlackStartError } from "./slack-auth.js";

export interface SlackConnectorOptions {
  bot: Bot;
  logger: Logger;
  botToken: string;
  /** Set: Socket Mode. Unset: the HTTP Events API on `port`, signed with `signingSecret`. */
  appToken?: string;
  signingSecret?: string;
  /** The Web API base (SLACK_API_URL); Slack's own when unset. */
  apiUrl?: string;
  port: number;
  /** HTTP mode's listening address; all interfaces when unset. */
  host?: string;
  /** SLACK_ADMIN_USERS: when set, only they may set channel and workspace personas. */
  adminUsers: readonly string[];
  nativeStreaming: boolean;
  /** The least time between two chat.update calls on one message. */
  updateIntervalMs: number;
  /** Socket Mode keep-alive (tests shorten it to reconnect faster). */
  socketPingTimeoutMs?: number;
  /** Socket Mode could not reconnect, for good (a revoked app-level token): see slack-client.ts. */
  onFatal?: OnFatal;
  /** False while troupe stops: HTTP mode answers 503 (see slack-http-guard.ts). */
  accepting?: () => boolean;
  /** PUBLIC_URL: a persona's local picture is its icon_url there. */
  publicUrl?: string;
  /** HTTP mode also answers GET/HEAD `/avatars/<file>` with this (the personas' pictures). */
  avatars?: HttpHandler;
}

export interface SlackConnector extends Connector {
  /** The HTTP port once started in HTTP mode. */
  readonly port: number | undefined;
  /** Resolves when every event and command received so far has been handled. */
  settled(): Promise<void>;
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

export function createSlackConnector(options: SlackConnectorOptions): SlackConnector {
  const logger = options.logger.child({ connector: "slack" });
  const api = createSlackApi({ token: options.botToken, apiUrl: options.apiUrl, logger });
  const inFlight = new Set<Promise<void>>();
  let bolt: BoltApp | undefined;
  let port: number | undefined;

  /** Bolt has already acked; the work runs on, tracked, and can never throw into Bolt. */
  function track(kind: string, work: () => Promise<void>): void {
    const running = work()
      .catch((error: unknown) => logger.error({ err: error, kind }, "a Slack event failed"))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  }

  return {
    name: "slack",
    get port() {
      return port;
    },
    async start() {
      const identity = await checkBotToken(api, slackApiBase(options.apiUrl));
      const canCustomize = identity.scopes?.has("chat:write.customize") ?? false;
      logger.info(
        { team: identity.teamId, botUser: identity.botUserId, personaFaces: canCustomize },
        canCustomize
          ? "Slack token checked"
          : "Slack token checked (no chat:write.customize: persona names head answers)",
      );
      const shared = {
        bot: options.bot,
        api,
        users: createUserDirectory({ api }),
        identity,
        sinkContext: createSinkContext({
          api,
          teamId: identity.teamId,
          logger,
          canCustomize,
          publicUrl: options.publicUrl,
          updateIntervalMs: options.updateIntervalMs,
          nativeStreaming: options.nativeStreaming,
        }),
        threads: createTtlCache<true>({ maxEntries: 20_000, ttlMs: WEEK_MS }),
        adminUsers: options.adminUsers,
        logger,
      };
      const onEvent = createEventHandler(shared);
      const onCommand = createSlashCommandHandler(shared);

      const commandNames = options.bot.commands.map((command) => `/${command.name}`);
      const app = createBoltApp({
        botToken: options.botToken,
        botUserId: identity.botUserId,
        botId: identity.botId,
        appToken: options.appToken,
        signingSecret: options.signingSecret,
        apiUrl: options.apiUrl,
        port: options.port,
        commands: commandNames,
        host: options.host,
        socketPingTimeoutMs: options.socketPingTimeoutMs,
        accepting: options.accepting,
        avatars: options.avatars,
        logger,
        onFatal: (error) => {
          logger.error(
            { reason: error.message, fix: error.fix, err: error.cause },
            "Slack refused the Socket Mode connection for good",
          );
          options.onFatal?.(error);
        },
      });
      // Bolt runs every listener's middleware chain on every event and command (an array copy and a
      // few async calls each): one listener for the events and one for the commands, not one per
      // event type and per command, took a measurable share of each event's CPU under load.
      app.app.event(/^(?:app_mention|message|reaction_added|reaction_removed)$/, async ({ body, event }) => {
        const type = event.type;
        if (type !== "reaction_added" && type !== "reaction_removed") return track(type, () => onEvent(body));
        return track(type, async () => {
          const outcome = await handleSlackReaction(options.bot, body, identity.botUserId);
          if (outcome === "malformed")
            logger.warn({ event: type }, "ignored a reaction event of unexpected shape");
        });
      });
      if (commandNames.length > 0) {
        const escaped = commandNames.map(escapeStringRegexp);
        app.app.command(new RegExp(`^(?:${escaped.join("|")})$`), async ({ ack, body, respond }) => {
          // Slack's 3-second rule: acknowledge before anything that can take time.
          await ack();
          track(body.command, () => onCommand(body, respond as Respond));
        });
      }
      app.app.error(async (error) => logger.error({ err: error }, "Bolt listener failed"));
      port = await app.start().catch((error: unknown) => {
        throw socketStartFailure(error, slackApiBase(options.apiUrl));
      });
      bolt = app;
      logger.info(
        { mode: app.mode, port },
        app.mode === "socket" ? "Slack connected (Socket Mode)" : "Slack listening",
      );
    },
    connected: () => bolt?.connected() ?? false,
    async stop() {
      const app = bolt;
      bolt = undefined;
      port = undefined;
      await app?.stop();
    },
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/**
 * Opening Socket Mode failed: Slack refused SLACK_APP_TOKEN (named, not retried), or could not be
 * reached (retried by start-up). Anything else, such as a port already taken in HTTP mode, as thrown.
 */
function socketStartFailure(error: unknown, apiBase: string): unknown {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause === undefined) return error;
  if (AUTH_ERRORS.has(describeSlackError(cause).code)) {
    return new PlatformRefusedError("SLACK_APP_TOKEN", (error as Error).message, { cause });
  }
  return slackUnreachable(cause, apiBase) ?? error;
}
