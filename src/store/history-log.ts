/**
 * What each backend provides for history: an append-only log of turn blocks per conversation,
 * sorted by order key. keyv-store.ts turns it into the ConversationStore's history (validation,
 * the legacy history key, deadlines); each backend makes append, trim, expiry and the reset
 * watermark one atomic step in its own way (memory: synchronous code; SQLite: one IMMEDIATE
 * transaction; Redis: one Lua script).
 *
 * Turns travel as JSON text: the log never interprets them, and a reader checks each one.
 */

/** The order key of a history written by an older troupe (one keyv value), migrated as the oldest block. */
export const LEGACY_ORDER = 0;

export interface HistoryLog {
  /** Each stored turn's JSON, sorted by (order, position in block); with `before`, only blocks below it. */
  read(conversationId: string, before: number | undefined): Promise<string[]>;
  /**
   * Adds one block at `order`, trims to the newest maxTurns, refreshes the TTL; all or nothing.
   * Does nothing when `order` is below the conversation's reset watermark, and a block at
   * LEGACY_ORDER is added once (two instances migrating the same old history add it once).
   */
  append(
    conversationId: string,
    turns: readonly string[],
    order: number,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Deletes the blocks below `order` and raises the reset watermark to `order`. */
  clear(conversationId: string, order: number, signal?: AbortSignal): Promise<void>;
  /** Deletes expired conversations, for a backend without native expiry. */
  sweep?(): Promise<void>;
}

/**
 * `signal`: the caller's deadline passed while the write waited its turn (SQLite's one connection):
 * it was already told the write failed, so the write must not happen behind its back.
 */
export interface HistoryLimits {
  historyTtlMs: number;
  maxTurns: number;
}
