/**
 * Telling a conversation, once, that the store is down. During an outage the bot still answers, but
 * with the default persona and without history; the people in the conversation should know why,
 * and not on every message. So each conversation hears it once per outage. Failures closer together
 * than OUTAGE_QUIET_MS are one outage, so a flaky store (some calls failing, some not) does not make a
 * note on every message. In memory and bounded: a large bot in a long outage remembers the newest
 * MAX_CONVERSATIONS conversations (an older one may hear it a second time).
 */
import { createTtlCache } from "../lib/ttl-cache.js";

/** A store that has not failed for this long is back: the next failure is a new outage. */
export const OUTAGE_QUIET_MS = 60_000;
const MAX_CONVERSATIONS = 10_000;

export interface StoreOutage {
  /** The store failed while serving this conversation. */
  failed(conversationId: string): void;
  /** Whether to tell this conversation now: the store failed for it and it has not been told in this outage. */
  takeNotice(conversationId: string): boolean;
}

export interface StoreOutageOptions {
  /** Injected for tests; defaults to the real clock. */
  now?: () => number;
}

export function createStoreOutage(options: StoreOutageOptions = {}): StoreOutage {
  const now = options.now ?? Date.now;
  let outage = 0;
  let lastFailure = Number.NEGATIVE_INFINITY;
  const conversations = createTtlCache<{ outage: number; told: boolean }>({ maxEntries: MAX_CONVERSATIONS });

  return {
    failed(conversationId) {
      const at = now();
      if (at - lastFailure >= OUTAGE_QUIET_MS) outage++;
      lastFailure = at;
      if (conversations.get(conversationId)?.outage !== outage) {
        conversations.set(conversationId, { outage, told: false });
      }
    },
    takeNotice(conversationId) {
      const state = conversations.get(conversationId);
      if (state === undefined || state.told) return false;
      conversations.set(conversationId, { ...state, told: true });
      return true;
    },
  };
}
