/**
 * The client's life as log lines: shards connecting, dropping, resuming; discord.js warnings and
 * errors. discord.js resumes a dropped gateway connection itself (replaying missed events); these
 * lines let an admin see it happen. An `error` event with no listener would crash the process, so
 * there always is one.
 */
import { ChannelType, type Client, Events } from "discord.js";
import type { Logger } from "../../lib/logger.js";

/** DM channels are cached per person who writes to the bot and never swept by discord.js. */
const DM_SWEEP_MS = 30 * 60_000;

/** Attaches the log listeners and the DM sweep; returns what stops the sweep. */
export function createDiscordEvents(client: Client, logger: Logger): () => void {
  client.on(Events.ShardReady, (shardId) => logger.info({ shardId }, "Discord shard ready"));
  client.on(Events.ShardDisconnect, (event, shardId) =>
    logger.warn({ shardId, code: event.code }, "Discord gateway connection closed"),
  );
  client.on(Events.ShardReconnecting, (shardId) => logger.info({ shardId }, "Discord gateway reconnecting"));
  client.on(Events.ShardResume, (shardId, replayedEvents) =>
    logger.info({ shardId, replayedEvents }, "Discord gateway resumed"),
  );
  client.on(Events.ShardError, (error, shardId) =>
    logger.error({ shardId, reason: error.message }, "Discord gateway error"),
  );
  client.on(Events.Warn, (message) => logger.warn({ reason: message }, "discord.js warning"));
  client.on(Events.Error, (error) => logger.error({ reason: error.message }, "discord.js error"));

  const sweep = setInterval(() => {
    client.channels.cache.sweep((channel) => channel.type === ChannelType.DM);
  }, DM_SWEEP_MS);
  sweep.unref();
  return () => clearInterval(sweep);
}
