/**
 * What every Slack reply sink of one connector shares: the API client, the write budgets, the
 * pacing, whether personas can show their own faces, and what was learnt about native streaming
 * and thinking statuses.
 *
 * Budgets (Slack's limits are per method, per app, per workspace):
 * - chat.update is Tier 3, about 50 a minute per workspace, shared by every answer streaming there;
 * - chat.postMessage is "about one a second per channel" with short bursts: the first message of
 *   an answer waits on this one only, so it goes out quickly even while edits queue (while the
 *   update budget could not pay for its update, it goes out once the model ends, whole);
 * - chat.appendStream is Tier 4, about 100 a minute per workspace.
 */
import type { Logger } from "../../lib/logger.js";
import { createTtlCache, type TtlCache } from "../../lib/ttl-cache.js";
import { createWriteBudget, type WriteBudget } from "../shared/write-budget.js";
import type { SlackApi } from "./slack-web-api.js";

export interface SinkContext {
  api: SlackApi;
  teamId: string;
  logger: Logger;
  canCustomize: boolean;
  /** PUBLIC_URL: where a persona's local picture is served, for icon_url. */
  publicUrl?: string;
  /** The least time between two chat.update calls on one message (SLACK_UPDATE_INTERVAL_MS). */
  updateIntervalMs: number;
  nativeStreaming: boolean;
  updateBudget: WriteBudget;
  postBudget: WriteBudget;
  appendBudget: WriteBudget;
  /**
   * Answers that posted part of themselves and still owe the update budget their update: a first
   * message streams early only while the budget has room for all of them (slack-answer-pacing.ts).
   */
  updatesOwed: { count: number };
  /** Native streaming failed for good (method or scope missing): post-and-update from now on. */
  native: { broken: boolean };
  /** Channels where assistant.threads.setStatus failed: not tried again for an hour. */
  statusOff: TtlCache<true>;
}

/** What the connector knows; the budgets and the fallbacks' state are made here. */
export type SinkContextOptions = Pick<
  SinkContext,
  "api" | "teamId" | "logger" | "canCustomize" | "publicUrl" | "updateIntervalMs" | "nativeStreaming"
>;

const MINUTE_MS = 60_000;

export function createSinkContext(options: SinkContextOptions): SinkContext {
  return {
    ...options,
    logger: options.logger.child({ component: "slack-sink" }),
    updateBudget: createWriteBudget({ limit: 50, windowMs: MINUTE_MS }),
    postBudget: createWriteBudget({ limit: 3, windowMs: 3_000 }),
    appendBudget: createWriteBudget({ limit: 100, windowMs: MINUTE_MS }),
    updatesOwed: { count: 0 },
    native: { broken: false },
    statusOff: createTtlCache<true>({ maxEntries: 10_000, ttlMs: 60 * MINUTE_MS }),
  };
}
