/**
 * The Bot as a stop sees it: a decorator that knows which events are in flight and, once draining,
 * starts no new one, so a stop can let the answers already running finish before it ends the rest.
 *
 * While draining, a new message or command is not started (one log line; it was never acked as
 * handled), and `claimEvent` says "already handled" without recording the event, so no connector
 * starts work for it and an instance still running (a rolling deploy sharing the store) may claim it
 * instead. `accepting()` is what a connector asks before it takes an event at all (Slack's HTTP
 * receiver answers 503 then, so Slack retries elsewhere), and what /readyz reports.
 */
import type { Bot } from "../../core/bot.js";
import type { IncomingMessage } from "../../core/message.js";
import type { Logger } from "../../lib/logger.js";

export interface DrainingBot extends Bot {
  /** False once draining: new events are refused. */
  accepting(): boolean;
  /**
   * Stops taking new events and waits for the ones in flight, at most `withinMs`. Resolves with how
   * many were still running when it gave up waiting (0: all finished).
   */
  drain(withinMs: number): Promise<number>;
}

export function createDrainingBot(bot: Bot, logger: Logger): DrainingBot {
  const inFlight = new Set<Promise<void>>();
  let draining = false;

  function refused(kind: string, message: IncomingMessage): Promise<void> {
    logger.info(
      { conversation: message.conversationId, platform: message.platform, kind },
      "stopping: a new event was not started",
    );
    return Promise.resolve();
  }

  function tracked(work: Promise<void>): Promise<void> {
    inFlight.add(work);
    const forget = () => inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  return {
    ...bot,
    accepting: () => !draining,
    handleMessage(message, sink) {
      if (draining) return refused("message", message);
      return tracked(bot.handleMessage(message, sink));
    },
    runCommand(name, options, message, sink) {
      if (draining) return refused(`/${name}`, message);
      return tracked(bot.runCommand(name, options, message, sink));
    },
    async claimEvent(eventId) {
      if (draining) return false;
      return bot.claimEvent(eventId);
    },
    async drain(withinMs) {
      draining = true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, withinMs);
      });
      const settled = (async () => {
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      })();
      await Promise.race([settled, timeout]);
      clearTimeout(timer);
      return inFlight.size;
    },
  };
}
