/**
 * The history log of sqlite:// — two tables beside keyv's, on keyv's own connection (one
 * connection per process: SQLite has one writer, and WAL lets readers in other processes go on
 * while it writes):
 *
 *   troupe_turns          one row per turn; `seq` (the rowid) keeps insertion order within a block,
 *                         the index (conversation, ord, seq) serves reads in order and the trim
 *   troupe_conversations  one small row per conversation: how many turns it holds, when they expire,
 *                         and the last reset's order key (the watermark) with its own expiry
 *
 * Each write is one BEGIN IMMEDIATE transaction (appends that queue together share one:
 * sqlite-appends.ts) run with nothing else on the connection in between
 * (`exclusive`): IMMEDIATE takes the write lock up front, so a writer in another process waits in
 * busy_timeout instead of failing with SQLITE_BUSY on a read-to-write upgrade. The turn count makes
 * the trim a delete of the few oldest rows, so an append costs the same at turn 5 and turn 500.
 * A read is one SELECT (`read`; reads that arrive together share one: sqlite-reads.ts): it may
 * share the connection with other reads, never with a write.
 */
import { z } from "zod";
import { type HistoryLimits, type HistoryLog, LEGACY_ORDER, turnsToForget } from "./history-log.js";
import { type ConversationRow, conversationRow, createSqliteAppends, EMPTY_ROW } from "./sqlite-appends.js";
import { retryWhileBusy } from "./sqlite-busy.js";
import { createTurnReads } from "./sqlite-reads.js";

export type SqlQuery = (sql: string, ...parameters: unknown[]) => Promise<unknown>;

export interface SqliteConnection {
  /** Runs `work` with no other statement on the connection until it settles. */
  exclusive<T>(work: (query: SqlQuery) => Promise<T>): Promise<T>;
  /** One SELECT, beside other reads but never inside a transaction. */
  read: SqlQuery;
}

// Persistent in the file: readers (other processes, the sweep) no longer wait for the writer.
// SQLite refuses the switch without waiting while another connection writes the file (as one
// opening it at the same moment does, making its tables), so it is retried (sqlite-busy.ts).
const WAL = "PRAGMA journal_mode=WAL";

const SCHEMA = [
  // Per connection. In WAL mode NORMAL syncs at checkpoints, not at every commit: a crash of the
  // process loses nothing, a power cut may lose the last exchanges, and the file stays sound.
  "PRAGMA synchronous=NORMAL",
  `CREATE TABLE IF NOT EXISTS troupe_turns (
    seq INTEGER PRIMARY KEY, conversation TEXT NOT NULL, ord REAL NOT NULL, turn TEXT NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS troupe_turns_by_order ON troupe_turns (conversation, ord, seq)",
  `CREATE TABLE IF NOT EXISTS troupe_conversations (
    conversation TEXT PRIMARY KEY, turns INTEGER NOT NULL DEFAULT 0, expires INTEGER NOT NULL DEFAULT 0,
    reset_before REAL, reset_expires INTEGER)`,
];

/** Rows per INSERT: far below SQLite's bound-parameter limit (3 parameters a row). */
const ROWS_PER_INSERT = 200;

const forgetRows = z.array(
  z.object({ seq: z.number(), conversation: z.string(), ord: z.number(), turn: z.unknown() }),
);

/** `work` inside BEGIN IMMEDIATE … COMMIT on `query`'s connection; rolled back when it fails. */
export async function inTransaction<T>(query: SqlQuery, work: () => Promise<T>): Promise<T> {
  await query("BEGIN IMMEDIATE");
  try {
    const result = await work();
    await query("COMMIT");
    return result;
  } catch (error) {
    await query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Creates the tables once (idempotent, so every process may), then returns the log. */
export function createSqliteHistory(connection: SqliteConnection, limits: HistoryLimits): HistoryLog {
  let schema: Promise<void> | undefined;
  function ready(): Promise<void> {
    schema ??= connection
      .exclusive(async (query) => {
        await retryWhileBusy(() => query(WAL));
        for (const statement of SCHEMA) await query(statement);
      })
      .catch((error: unknown) => {
        schema = undefined; // a locked or missing file may be fine on the next try
        throw error;
      });
    return schema;
  }

  /** A write transaction; rolled back when any statement fails. */
  async function transaction<T>(
    work: (query: SqlQuery, now: number) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    await ready();
    return connection.exclusive(async (query) => {
      signal?.throwIfAborted();
      return inTransaction(query, () => work(query, Date.now()));
    });
  }

  /** The conversation's row, after deleting its turns if they expired. */
  async function liveRow(query: SqlQuery, conversationId: string, now: number): Promise<ConversationRow> {
    const rows = z
      .array(conversationRow)
      .parse(
        await query(
          "SELECT turns, expires, reset_before, reset_expires FROM troupe_conversations WHERE conversation = ?",
          conversationId,
        ),
      );
    const row = rows[0] ?? { ...EMPTY_ROW };
    if (row.expires <= now && row.turns > 0) {
      await query("DELETE FROM troupe_turns WHERE conversation = ?", conversationId);
      row.turns = 0;
    }
    if (row.reset_expires === null || row.reset_expires <= now) {
      row.reset_before = null;
      row.reset_expires = null;
    }
    return row;
  }

  async function saveRow(query: SqlQuery, conversationId: string, row: ConversationRow): Promise<void> {
    await query(
      `INSERT INTO troupe_conversations (conversation, turns, expires, reset_before, reset_expires)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation) DO UPDATE SET turns = excluded.turns,
       expires = excluded.expires, reset_before = excluded.reset_before, reset_expires = excluded.reset_expires`,
      conversationId,
      row.turns,
      row.expires,
      row.reset_before,
      row.reset_expires,
    );
  }

  // Appends that wait for the connection go together (sqlite-appends.ts); a migrated legacy
  // block, once per old conversation, goes alone with its check that it is not there yet.
  const appendTogether = createSqliteAppends(transaction, limits);
  // Reads that arrive together go as one SELECT (sqlite-reads.ts).
  const readTurns = createTurnReads(connection.read);

  return {
    readsSignal: true,

    async read(conversationId, before) {
      await ready();
      const turns = await readTurns({ conversationId, before });
      // A value that is not text is passed on as text that is not JSON: the reader skips and logs it.
      return turns.map((turn) => (typeof turn === "string" ? turn : `<not text: ${typeof turn}>`));
    },

    append: (conversationId, turns, order, signal) =>
      order !== LEGACY_ORDER
        ? appendTogether(conversationId, turns, order, signal)
        : transaction(async (query, now) => {
            const row = await liveRow(query, conversationId, now);
            if (row.reset_before !== null && order < row.reset_before) return;
            const legacy = await query(
              "SELECT 1 FROM troupe_turns WHERE conversation = ? AND ord = ? LIMIT 1",
              conversationId,
              LEGACY_ORDER,
            );
            if (Array.isArray(legacy) && legacy.length > 0) return;
            for (let start = 0; start < turns.length; start += ROWS_PER_INSERT) {
              const chunk = turns.slice(start, start + ROWS_PER_INSERT);
              await query(
                `INSERT INTO troupe_turns (conversation, ord, turn) VALUES ${chunk.map(() => "(?, ?, ?)").join(", ")}`,
                ...chunk.flatMap((turn) => [conversationId, order, turn]),
              );
            }
            row.turns += turns.length;
            if (row.turns > limits.maxTurns) {
              await query(
                `DELETE FROM troupe_turns WHERE seq IN (SELECT seq FROM troupe_turns WHERE conversation = ?
             ORDER BY ord, seq LIMIT ?)`,
                conversationId,
                row.turns - limits.maxTurns,
              );
              row.turns = limits.maxTurns;
            }
            row.expires = now + limits.historyTtlMs;
            await saveRow(query, conversationId, row);
          }, signal),

    clear: (conversationId, order, signal) =>
      transaction(async (query, now) => {
        const row = await liveRow(query, conversationId, now);
        await query("DELETE FROM troupe_turns WHERE conversation = ? AND ord < ?", conversationId, order);
        const counted = z
          .array(z.object({ n: z.number() }))
          .parse(
            await query("SELECT count(*) AS n FROM troupe_turns WHERE conversation = ?", conversationId),
          );
        row.turns = counted[0]?.n ?? 0;
        row.reset_before = Math.max(row.reset_before ?? order, order);
        row.reset_expires = now + limits.historyTtlMs;
        await saveRow(query, conversationId, row);
      }, signal),

    forgetAuthor: (conversationPrefix, authorId) =>
      transaction(async (query) => {
        // A scan narrowed by text (the author's id appears in their turns), then decided per turn in
        // code: forgetting is rare, and the same rule (turnsToForget) decides on every backend.
        const rows = forgetRows.parse(
          await query(
            `SELECT seq, conversation, ord, turn FROM troupe_turns WHERE conversation IN
             (SELECT DISTINCT conversation FROM troupe_turns WHERE substr(conversation, 1, ?) = ?
              AND instr(turn, ?) > 0) ORDER BY conversation, ord, seq`,
            conversationPrefix.length,
            conversationPrefix,
            JSON.stringify(authorId),
          ),
        );
        const byConversation = new Map<string, typeof rows>();
        for (const row of rows)
          byConversation.set(row.conversation, [...(byConversation.get(row.conversation) ?? []), row]);
        let turns = 0;
        let touched = 0;
        for (const [conversationId, conversationRows] of byConversation) {
          const picked = turnsToForget(
            conversationRows.map((row) => ({
              order: row.ord,
              json: typeof row.turn === "string" ? row.turn : "",
            })),
            authorId,
          );
          if (picked.length === 0) continue;
          const seqs = picked.map((index) => conversationRows[index]?.seq);
          await query(`DELETE FROM troupe_turns WHERE seq IN (${seqs.map(() => "?").join(", ")})`, ...seqs);
          await query(
            "UPDATE troupe_conversations SET turns = (SELECT count(*) FROM troupe_turns WHERE conversation = ?) WHERE conversation = ?",
            conversationId,
            conversationId,
          );
          turns += picked.length;
          touched++;
        }
        return { turns, conversations: touched };
      }),

    sweep: () =>
      transaction(async (query, now) => {
        await query(
          `DELETE FROM troupe_turns WHERE conversation IN
           (SELECT conversation FROM troupe_conversations WHERE expires <= ? AND turns > 0)`,
          now,
        );
        await query("UPDATE troupe_conversations SET turns = 0 WHERE expires <= ? AND turns > 0", now);
        await query(
          `DELETE FROM troupe_conversations WHERE expires <= ?
           AND (reset_expires IS NULL OR reset_expires <= ?)`,
          now,
          now,
        );
      }),
  };
}
