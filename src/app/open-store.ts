/**
 * The conversation store at start-up: STORE_URL opened and proven, with the history limits from
 * HISTORY_TTL_DAYS and HISTORY_MAX_TURNS. A store that cannot be opened stops start-up; its error
 * already names STORE_URL, the problem and a fix.
 */
import type { Config } from "../config.js";
import type { Logger } from "../lib/logger.js";
import type { ConversationStore, StoreLimits } from "../store/conversation-store.js";
import { createStore } from "../store/create-store.js";
import { FatalError } from "./fatal.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export type StoreSettings = Pick<Config, "STORE_URL" | "HISTORY_TTL_DAYS" | "HISTORY_MAX_TURNS">;

export function storeLimits(settings: StoreSettings): StoreLimits {
  return { historyTtlMs: settings.HISTORY_TTL_DAYS * DAY_MS, maxTurns: settings.HISTORY_MAX_TURNS };
}

export async function openStore(settings: StoreSettings, logger: Logger): Promise<ConversationStore> {
  return createStore(settings.STORE_URL, storeLimits(settings), { logger }).catch((error: unknown) => {
    logger.error({ err: error }, "cannot open the store");
    throw new FatalError(error instanceof Error ? error.message : String(error), { cause: error });
  });
}
