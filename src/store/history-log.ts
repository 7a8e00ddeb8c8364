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
  /**
   * Deletes the turns `turnsToForget` picks for `authorId` in every conversation whose id starts with
   * `conversationPrefix`, each conversation in one atomic step. Returns what went.
   */
  forgetAuthor(
    conversationPrefix: string,
    authorId: string,
  ): Promise<{ turns: number; conversations: number }>;
  /** Deletes expired conversations, for a backend without native expiry. */
  sweep?(): Promise<void>;
  /**
   * Whether append and clear may wait before they write (SQLite's one connection) and so read the
   * caller's `signal`. A log that writes at once (memory, Redis's one script) is given none: the
   * store then makes no AbortController for them, which costs microseconds an append in Node.
   */
  readonly readsSignal?: boolean;
}

/**
 * `signal`: the caller's deadline passed while the write waited its turn (SQLite's one connection):
 * it was already told the write failed, so the write must not happen behind its back.
 */
export interface HistoryLimits {
  historyTtlMs: number;
  maxTurns: number;
}

export interface OrderedTurn {
  order: number;
  json: string;
}

/**
 * Which turns of one conversation (sorted as read) go when `authorId` asks to be forgotten: their
 * own user turns, and an assistant turn that answers one of them (the next turn of the same block:
 * an answer to someone's question is about them). A turn that does not parse is left alone. Shared
 * by every backend, so memory, SQLite and Redis forget exactly the same turns.
 */
export function turnsToForget(turns: readonly OrderedTurn[], authorId: string): number[] {
  const picked: number[] = [];
  let answering: number | undefined;
  turns.forEach((turn, index) => {
    const parsed = parseTurnHead(turn.json);
    if (parsed?.role === "user" && parsed.authorId === authorId) {
      picked.push(index);
      answering = turn.order;
      return;
    }
    if (parsed?.role === "assistant" && answering === turn.order) picked.push(index);
    answering = undefined;
  });
  return picked;
}

function parseTurnHead(json: string): { role: unknown; authorId: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== "object" || value === null) return undefined;
    const record = value as { role?: unknown; author?: { id?: unknown } };
    return { role: record.role, authorId: record.author?.id };
  } catch {
    return undefined;
  }
}
