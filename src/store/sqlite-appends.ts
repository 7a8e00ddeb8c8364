/**
 * SQLite history appends, many in one transaction (group commit). Every answer appends its
 * exchange, and writes take the one connection one at a time (sqlite-gate.ts): an append alone is
 * five statements (BEGIN, the conversation's row, the turns, the row again, COMMIT), each a trip
 * through libuv's pool and back through the event loop. Under a burst those trips are the store's
 * whole throughput: a busy loop turns slowly, appends queue, and reads queued behind them pass
 * their deadline (answers without memory). So appends that arrive while the connection is busy
 * wait together and go as one transaction of a fixed handful of statements, however many they are:
 * every conversation's row in one SELECT, every turn in one INSERT, every row in one upsert.
 *
 * The result is the one the appends would have had one after the other: expiry and the reset
 * watermark are read once per batch (no clear can run inside it: a clear is a write of its own),
 * and trimming once to the newest maxTurns after all the inserts keeps the same rows as trimming
 * after each. All or nothing per batch: a statement that fails fails every append in it, as it
 * would have failed each of them. An append whose deadline passed while it waited is left out.
 */
import { z } from "zod";
import type { HistoryLimits } from "./history-log.js";
import type { SqlQuery } from "./sqlite-history.js";

/** Far below SQLite's bound-parameter limit (32,766): 3 parameters per turn, 5 per row. */
const TURNS_PER_INSERT = 200;
const ROWS_PER_STATEMENT = 200;

export const conversationRow = z.object({
  turns: z.number(),
  expires: z.number(),
  reset_before: z.number().nullable(),
  reset_expires: z.number().nullable(),
});
export type ConversationRow = z.infer<typeof conversationRow>;

const keyedRows = z.array(conversationRow.extend({ conversation: z.string() }));

interface PendingAppend {
  conversationId: string;
  turns: readonly string[];
  order: number;
  signal: AbortSignal | undefined;
  settle(): void;
  fail(error: unknown): void;
}

/** A conversation with no row yet, or whose reset watermark expired, reads as this. */
export const EMPTY_ROW: ConversationRow = { turns: 0, expires: 0, reset_before: null, reset_expires: null };

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );

/**
 * `transaction` runs its work inside one BEGIN IMMEDIATE … COMMIT in the connection's write turn
 * (rolled back when the work throws). Returns `append`: resolves once its block is committed (or
 * skipped below the reset watermark).
 */
export function createSqliteAppends(
  transaction: (work: (query: SqlQuery, now: number) => Promise<void>) => Promise<void>,
  limits: HistoryLimits,
): (conversationId: string, turns: readonly string[], order: number, signal?: AbortSignal) => Promise<void> {
  const pending: PendingAppend[] = [];
  let queued = false;

  async function writeBatch(batch: PendingAppend[], query: SqlQuery, now: number): Promise<void> {
    const ids = [...new Set(batch.map((append) => append.conversationId))];
    const rows = new Map<string, ConversationRow>();
    for (const chunk of chunks(ids, ROWS_PER_STATEMENT)) {
      const found = keyedRows.parse(
        await query(
          `SELECT conversation, turns, expires, reset_before, reset_expires FROM troupe_conversations
           WHERE conversation IN (${chunk.map(() => "?").join(", ")})`,
          ...chunk,
        ),
      );
      for (const { conversation, ...row } of found) rows.set(conversation, row);
    }
    const expired: string[] = [];
    for (const id of ids) {
      const row = { ...(rows.get(id) ?? EMPTY_ROW) };
      if (row.expires <= now && row.turns > 0) {
        expired.push(id);
        row.turns = 0;
      }
      if (row.reset_expires === null || row.reset_expires <= now) {
        row.reset_before = null;
        row.reset_expires = null;
      }
      rows.set(id, row);
    }
    for (const chunk of chunks(expired, ROWS_PER_STATEMENT)) {
      await query(
        `DELETE FROM troupe_turns WHERE conversation IN (${chunk.map(() => "?").join(", ")})`,
        ...chunk,
      );
    }

    // In arrival order, so a conversation's blocks get their rowids (`seq`) in the order they came.
    const turnRows: [string, number, string][] = [];
    // A conversation whose every block fell below its reset watermark is left as it was.
    const written = new Map<string, ConversationRow>();
    for (const append of batch) {
      const row = rows.get(append.conversationId) ?? { ...EMPTY_ROW };
      if (row.reset_before !== null && append.order < row.reset_before) continue;
      written.set(append.conversationId, row);
      for (const turn of append.turns) turnRows.push([append.conversationId, append.order, turn]);
      row.turns += append.turns.length;
    }
    for (const chunk of chunks(turnRows, TURNS_PER_INSERT)) {
      await query(
        `INSERT INTO troupe_turns (conversation, ord, turn) VALUES ${chunk.map(() => "(?, ?, ?)").join(", ")}`,
        ...chunk.flat(),
      );
    }

    for (const [id, row] of written) {
      if (row.turns <= limits.maxTurns) continue;
      await query(
        `DELETE FROM troupe_turns WHERE seq IN (SELECT seq FROM troupe_turns WHERE conversation = ?
         ORDER BY ord, seq LIMIT ?)`,
        id,
        row.turns - limits.maxTurns,
      );
      row.turns = limits.maxTurns;
    }

    const expires = now + limits.historyTtlMs;
    for (const chunk of chunks([...written], ROWS_PER_STATEMENT)) {
      await query(
        `INSERT INTO troupe_conversations (conversation, turns, expires, reset_before, reset_expires)
         VALUES ${chunk.map(() => "(?, ?, ?, ?, ?)").join(", ")} ON CONFLICT (conversation) DO UPDATE SET
         turns = excluded.turns, expires = excluded.expires, reset_before = excluded.reset_before,
         reset_expires = excluded.reset_expires`,
        ...chunk.flatMap(([id, row]) => [id, row.turns, expires, row.reset_before, row.reset_expires]),
      );
    }
  }

  function schedule(): void {
    queued = true;
    let batch: PendingAppend[] = [];
    let started = false;
    transaction(async (query, now) => {
      // Taken at the write turn, not before: everything that queued meanwhile joins this batch.
      started = true;
      queued = false;
      batch = [];
      for (const append of pending.splice(0)) {
        if (append.signal?.aborted) append.fail(append.signal.reason);
        else batch.push(append);
      }
      if (batch.length > 0) await writeBatch(batch, query, now);
    }).then(
      () => {
        for (const append of batch) append.settle();
      },
      (error: unknown) => {
        for (const append of batch) append.fail(error);
        if (started) return;
        // It failed before its turn (the tables could not be made): what waited for it fails too.
        queued = false;
        for (const append of pending.splice(0)) append.fail(error);
      },
    );
  }

  return (conversationId, turns, order, signal) =>
    new Promise<void>((settle, fail) => {
      pending.push({ conversationId, turns, order, signal, settle, fail });
      if (!queued) schedule();
    });
}
