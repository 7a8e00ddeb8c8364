/**
 * The Discord connector: logs in (sharded when asked), turns gateway events into answers, registers
 * the slash commands when asked, and survives what Discord throws at it: every failure is logged
 * with its cause, a dropped gateway connection resumes (discord.js), and nothing escapes to crash
 * the process. A close Discord will never take back (a refused token, a refused intent) is the
 * exception: start() fails with it, and once running it goes to `onFatal`, so the process stops
 * with a non-zero exit code instead of idling with no gateway.
 */

import {
  type Client,
  Events,
  GatewayCloseCodes,
  GatewayDispatchEvents,
  RESTEvents,
  Status,
} from "discord.js";
import type { Bot } from "../../core/bot.js";
import type { Logger } from "../../lib/logger.js";
import { type Connector, type OnFatal, PlatformFatalError } from "../connector.js";
import { createDiscordClient } from "./discord-client.js";
import { discordErrorFields, errorFields } from "./discord-errors.js";
import { fatalClose, refusedToken } from "./discord-fatal-closes.js";
import { createContextReader } from "./discord-incoming-context.js";
import { createDiscordEvents } from "./discord-lifecycle-logs.js";
import { createInteractionHandler } from "./discord-on-command.js";
import { createMessageHandler } from "./discord-on-message.js";
import { handleDiscordReaction } from "./discord-on-reaction.js";
import type { Pacing } from "./discord-pacing.js";
import { createGlobalLane } from "./discord-pacing-lane.js";
import { readMessagePayload } from "./discord-payloads.js";
import { watchRateLimits } from "./discord-rate-limit-headers.js";
import { registerCommands } from "./discord-register-commands.js";
import { discordStartFailure, isTokenRefusal } from "./discord-start-errors.js";
import { createThreads } from "./discord-threads.js";
import { createWebhookDirectory } from "./discord-webhooks.js";
import { createWriteScheduler } from "./discord-write-scheduler.js";

export interface DiscordConnectorOptions {
  bot: Bot;
  logger: Logger;
  token: string;
  /** DISCORD_API_URL: the REST base; the gateway URL is asked of it. */
  apiUrl?: string;
  /** DISCORD_GUILD_ID: register the commands in this server only. */
  guildId?: string;
  /** DISCORD_REGISTER_COMMANDS: register the commands at start-up. */
  registerCommands: boolean;
  autoThread: boolean;
  personaWebhooks: boolean;
  /** PUBLIC_URL: a persona's local picture is shown from there (webhooks take a URL only). */
  publicUrl?: string;
  shards?: number | "auto";
  /** DISCORD_SHARD_IDS: the shards of `shards` this process runs; undefined: all. */
  shardIds?: readonly number[];
  /** The least time between two edits of one message. Default 1.5 s (see EDIT_INTERVAL_MS). */
  editIntervalMs?: number;
  /** Discord closed the gateway for good while running (see discord-fatal-closes.ts). */
  onFatal?: OnFatal;
}

/**
 * An edit every 1.5 s spreads a channel's budget (Discord reports it on every write, about 5 per
 * 5 s; see discord-write-scheduler.ts) evenly: a lone answer grows steadily, without long pauses.
 */
const EDIT_INTERVAL_MS = 1_500;
/** Discord allows a bot about 50 requests a second in all; message writes take at most 45 of them. */
const GLOBAL_WRITES_PER_SECOND = 45;

export function createDiscordConnector(options: DiscordConnectorOptions): Connector {
  const logger = options.logger.child({ connector: "discord" });
  const pacing: Pacing = {
    scheduler: createWriteScheduler(),
    lane: createGlobalLane({ perSecond: GLOBAL_WRITES_PER_SECOND }),
  };
  const editIntervalMs = options.editIntervalMs ?? EDIT_INTERVAL_MS;
  let client: Client | undefined;
  let stopping = false;
  let running = false;
  /** The last close Discord will not take back, on the client logging in or running now. */
  let refusal: PlatformFatalError | undefined;
  let reported = false;
  const disposers: (() => void)[] = [];

  /** Read through a call: a shard's close sets it while start() awaits. */
  function lastRefusal(): PlatformFatalError | undefined {
    return refusal;
  }

  /** Discord refused this client for good: start() fails with it, or, running, onFatal hears it once. */
  function refused(candidate: Client, fatal: PlatformFatalError, fields: Record<string, unknown>): void {
    if (stopping) return;
    refusal ??= fatal;
    // While logging in, start() fails with it; a client given up on says nothing more.
    if (!running || candidate !== client || reported) return;
    reported = true;
    logger.error({ ...fields, reason: fatal.message, fix: fatal.fix }, "Discord refused troupe for good");
    options.onFatal?.(fatal);
  }

  function wire(candidate: Client): void {
    const rest = candidate.rest;
    disposers.push(watchRateLimits(rest, pacing.scheduler));
    const webhooks = options.personaWebhooks
      ? createWebhookDirectory({ rest, logger, applicationId: () => candidate.application?.id })
      : undefined;
    const threads = createThreads(rest, logger);
    const context = createContextReader({
      client: candidate,
      isOwnWebhook: (id) => webhooks?.isOwn(id) ?? false,
      inThread: (id) => threads.has(id),
    });
    const handleMessage = createMessageHandler({
      ...options,
      logger,
      rest,
      pacing,
      context,
      threads,
      webhooks,
      editIntervalMs,
    });
    const handleInteraction = createInteractionHandler({ bot: options.bot, logger, pacing, editIntervalMs });

    // Messages are read from the raw gateway payload: it carries everything the mapping needs
    // (display names, mentions with their members, the referenced message), no message cache needed.
    candidate.ws.on(GatewayDispatchEvents.MessageCreate, (data: unknown, shardId: number) => {
      if (stopping) return;
      const payload = readMessagePayload(data);
      if (payload === undefined)
        return logger.warn({ shardId }, "ignored a MESSAGE_CREATE of unexpected shape");
      handleMessage(payload).catch((error: unknown) =>
        logger.error({ ...errorFields(error), message: payload.id }, "failed to handle a Discord message"),
      );
    });
    for (const [event, removed] of [
      [GatewayDispatchEvents.MessageReactionAdd, false],
      [GatewayDispatchEvents.MessageReactionRemove, true],
    ] as const) {
      candidate.ws.on(event, (data: unknown, shardId: number) => {
        if (stopping) return;
        if (!handleDiscordReaction(options.bot, data, removed, candidate.user?.id))
          logger.warn({ shardId, event }, "ignored a reaction event of unexpected shape");
      });
    }
    candidate.on(Events.InteractionCreate, (interaction) => {
      if (stopping) return;
      handleInteraction(interaction).catch((error: unknown) =>
        logger.error(
          { ...errorFields(error), interaction: interaction.id },
          "failed to handle a Discord interaction",
        ),
      );
    });
    disposers.push(createDiscordEvents(candidate, logger));
    candidate.on(Events.ShardDisconnect, (event, shardId) => {
      const fatal = fatalClose(event.code);
      if (fatal !== undefined) refused(candidate, fatal, { shardId, code: event.code });
    });
    // A 401 on a request made with the token: discord.js drops the token, every later write fails.
    rest.on(RESTEvents.Response, (request, response) => {
      if (response.status === 401 && request.data.auth !== false)
        refused(candidate, refusedToken(request.method, request.route), {
          status: 401,
          route: request.route,
        });
    });
    rest.on(RESTEvents.RateLimited, (info) =>
      logger.warn(
        {
          route: info.route,
          method: info.method,
          retryAfterMs: info.retryAfter,
          global: info.global,
          scope: info.scope,
        },
        "Discord rate limit reached: waiting",
      ),
    );
    rest.on(RESTEvents.InvalidRequestWarning, (info) =>
      logger.warn(
        { count: info.count, remainingMs: info.remainingTime },
        "Discord refused many requests (401/403/429): past 10,000 in 10 minutes it bans the IP for a while",
      ),
    );
  }

  /** Resolves with a ready client; rejects with the PlatformFatalError when Discord closed for good. */
  async function login(messageContent: boolean): Promise<Client> {
    const candidate = createDiscordClient({
      apiUrl: options.apiUrl,
      shards: options.shards,
      shardIds: options.shardIds,
      messageContent,
    });
    const wiredBefore = disposers.length;
    wire(candidate);
    refusal = undefined;
    const ready = new Promise<void>((resolve) => candidate.once(Events.ClientReady, () => resolve()));
    try {
      await candidate.login(options.token);
    } catch (error) {
      // discord.js destroyed the client; its listeners go too, so a retried start begins clean.
      for (const dispose of disposers.splice(wiredBefore)) dispose();
      // discord.js rejects with its own words ("Used disallowed intents"); the close code says more.
      const fatal = lastRefusal();
      if (fatal === undefined) throw error;
      throw new PlatformFatalError(fatal.message, fatal.fix, { cause: error });
    }
    await ready;
    return candidate;
  }

  function isDisallowedIntents(error: unknown): boolean {
    return (
      error instanceof Error && error.message.includes(`gateway close ${GatewayCloseCodes.DisallowedIntents}`)
    );
  }

  async function register(ready: Client): Promise<void> {
    const applicationId = ready.application?.id;
    if (applicationId === undefined)
      return logger.error("cannot register commands: Discord sent no application id");
    try {
      const result = await registerCommands(ready.rest, {
        applicationId,
        guildId: options.guildId,
        commands: options.bot.commands,
      });
      logger.info({ ...result, guild: options.guildId }, "slash commands registered");
    } catch (error) {
      logger.error(
        { ...discordErrorFields(error) },
        "could not register the slash commands (chat by mention still works)",
      );
    }
  }

  return {
    name: "discord",
    async start() {
      try {
        client = await login(true);
      } catch (error) {
        // 4014: the privileged Message Content intent is not switched on for this application.
        if (!isDisallowedIntents(error)) {
          // A refusal Discord explained with a close code carries its own fix; anything else is
          // sorted into out of reach (retried) or a refused token.
          if (error instanceof PlatformFatalError && !isTokenRefusal(error.cause)) throw error;
          throw discordStartFailure(
            error instanceof PlatformFatalError ? error.cause : error,
            options.apiUrl,
          );
        }
        logger.warn(
          "the Message Content intent is not enabled for this bot: mentions, DMs and slash commands work; " +
            "thread follow-ups without a mention need it (Developer Portal › Bot › Message Content Intent)",
        );
        client = await login(false).catch((error: unknown) => {
          if (error instanceof PlatformFatalError && !isTokenRefusal(error.cause)) throw error;
          throw discordStartFailure(
            error instanceof PlatformFatalError ? error.cause : error,
            options.apiUrl,
          );
        });
      }
      if (options.registerCommands) await register(client);
      // Refused for good while registering: fail the start rather than run with no gateway.
      const lost = lastRefusal();
      if (lost !== undefined) {
        await client.destroy();
        client = undefined;
        throw lost;
      }
      running = true;
      logger.info(
        {
          user: client.user?.tag,
          guilds: client.guilds.cache.size,
          // Which shards this process runs, of how many: on several machines, each says its share.
          shards: [...client.ws.shards.keys()],
          shardCount: client.options.shardCount,
        },
        "connected to Discord",
      );
    },
    connected: () => running && (client?.ws.shards.every((shard) => shard.status === Status.Ready) ?? false),
    async stop() {
      stopping = true;
      running = false;
      for (const dispose of disposers.splice(0)) dispose();
      await client?.destroy();
      client = undefined;
    },
  };
}
