/**
 * Threads the bot takes part in. A thread the bot is in takes follow-ups without a mention. Discord
 * reports membership (THREAD_CREATE, THREAD_MEMBERS_UPDATE) a moment after the bot joins, and across
 * restarts and shards, so the bot joins explicitly the threads it answers in; this memory covers the
 * moment before Discord's word arrives.
 */
import { type REST, Routes } from "discord.js";
import type { Logger } from "../../lib/logger.js";
import { createTtlCache } from "../../lib/ttl-cache.js";
import { discordErrorFields } from "./discord-errors.js";
import { threadSchema } from "./discord-payloads.js";

export interface Threads {
  has(threadId: string): boolean;
  /** Opens a thread from a message (DISCORD_AUTO_THREAD); undefined when Discord refuses. */
  open(channelId: string, messageId: string, name: string): Promise<string | undefined>;
  /** Joins a thread the bot was mentioned in, so its follow-ups reach the bot without a mention. */
  join(threadId: string): void;
}

/** A day: Discord archives a quiet thread after this long (60, 1440, 4320 or 10080 minutes). */
const AUTO_ARCHIVE_MINUTES = 1440;

export function createThreads(rest: REST, logger: Logger): Threads {
  const joined = createTtlCache<true>({ maxEntries: 10_000 });
  const warned = createTtlCache<true>({ maxEntries: 5_000 });
  return {
    has: (threadId) => joined.has(threadId),
    async open(channelId, messageId, name) {
      try {
        // The thread's id is the message's id; Discord allows one thread per message.
        const response = await rest.post(Routes.threads(channelId, messageId), {
          body: { name, auto_archive_duration: AUTO_ARCHIVE_MINUTES },
        });
        const thread = threadSchema.parse(response);
        joined.set(thread.id, true);
        return thread.id;
      } catch (error) {
        // Said once per channel: a missing permission would otherwise repeat with every mention.
        if (!warned.has(channelId)) {
          logger.warn(
            { channel: channelId, ...discordErrorFields(error) },
            "could not open a thread (does the bot have Create Public Threads?): answering in the channel",
          );
        }
        warned.set(channelId, true);
        return undefined;
      }
    },
    join(threadId) {
      if (joined.has(threadId)) return;
      joined.set(threadId, true);
      rest.put(Routes.threadMembers(threadId, "@me")).catch((error: unknown) => {
        logger.warn({ thread: threadId, ...discordErrorFields(error) }, "could not join a thread");
      });
    },
  };
}
