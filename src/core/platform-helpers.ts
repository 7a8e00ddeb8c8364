/**
 * What the connectors ask of the bot around a message, beside answering it: whether a platform event
 * is new (platforms retry), whether a conversation has history, and a thread's earlier messages as
 * history when the bot joins mid-thread. Each survives a store failure with a logged fallback.
 */
import type { Logger } from "../lib/logger.js";
import type { ConversationStore } from "../store/conversation-store.js";
import type { Bot } from "./bot.js";
import { seedOrder, threadMessageToTurn } from "./thread-seed.js";

/** Slack retries an event for up to about an hour; remembering ids a day covers every retry. */
const EVENT_MEMORY_MS = 24 * 60 * 60 * 1000;

export function createPlatformHelpers(dependencies: {
  store: ConversationStore;
  logger: Logger;
  /** Counts work as in flight, so the bot's stop() waits for it. */
  track<T>(work: Promise<T>): Promise<T>;
}): Pick<Bot, "claimEvent" | "hasHistory" | "seedThread"> {
  const { store, logger, track } = dependencies;
  return {
    async claimEvent(eventId) {
      try {
        return await store.markSeen(`event:${eventId}`, EVENT_MEMORY_MS);
      } catch (error) {
        logger.warn({ err: error, eventId }, "store unavailable: cannot de-duplicate this event");
        return true;
      }
    },
    async hasHistory(conversationId) {
      try {
        return (await store.getHistory(conversationId)).length > 0;
      } catch (error) {
        logger.warn(
          { err: error, conversation: conversationId },
          "store unavailable: treating the conversation as new",
        );
        return false;
      }
    },
    seedThread(conversationId, messages) {
      // Two people mentioning the bot mid-thread at once must not import the thread twice.
      const seeding = store.inOrder(`seed:${conversationId}`, async () => {
        try {
          if ((await store.getHistory(conversationId)).length > 0 || messages.length === 0) return false;
          await store.appendTurns(conversationId, messages.map(threadMessageToTurn), {
            order: seedOrder(messages),
          });
          return true;
        } catch (error) {
          logger.warn(
            { err: error, conversation: conversationId },
            "store unavailable: thread history not imported",
          );
          return false;
        }
      });
      return track(seeding);
    },
  };
}
