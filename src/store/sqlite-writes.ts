/**
 * keyv's writes on SQLite (set and delete: records, bindings, resets), many in one transaction
 * (group commit). Every completed answer writes about three records (the exchange, a pointer per
 * platform message, the asker's last pointer), and writes take the one connection one at a time
 * (sqlite-gate.ts): one statement each, every one a trip through libuv's pool and back through the
 * event loop, queued a burst's reads and claims behind them until they passed their deadline
 * (answers without memory). Here writes that arrive while the connection is busy wait together and
 * go in the next write turn: consecutive sets as one multi-row upsert, consecutive deletes as one
 * DELETE … RETURNING, in arrival order, so the file ends as the writes one after the other would
 * leave it; a lone write still goes at once. Rows are @keyv/sqlite's own (key, value-as-keyv-
 * serialized-it), so keyv reads them back unchanged. (Hand-written for the same reason as
 * sqlite-claims.ts and sqlite-appends.ts: it is the connection's queueing, which no library knows.)
 *
 * All or nothing per batch: one statement is atomic by itself; several go inside BEGIN IMMEDIATE …
 * COMMIT and roll back together. A failure fails every write of the batch.
 */
import { inTransaction, type SqlQuery } from "./sqlite-history.js";
import { writeBatches } from "./sqlite-write-batch.js";

/** Keeps one statement far below SQLite's bound-parameter limit (32,766; 2 a row). */
const WRITES_PER_BATCH = 500;

interface Pending {
  kind: "set" | "delete";
  key: string;
  /** keyv's serialized value; only for a set. */
  value: string;
  /** A set settles with true; a delete with whether its key was there. */
  settle(result: boolean): void;
  fail(error: unknown): void;
}

export interface SqliteWrites {
  /** Stores `value` (keyv's serialized form) under `key`, as @keyv/sqlite's set does. */
  set(key: string, value: string): Promise<boolean>;
  /** Deletes `key`; true when a row was there, as @keyv/sqlite's delete answers. */
  delete(key: string): Promise<boolean>;
}

/** The batch cut where the kind changes: each run is one statement. */
function runsOf(batch: readonly Pending[]): Pending[][] {
  const runs: Pending[][] = [];
  for (const write of batch) {
    const last = runs.at(-1);
    if (last !== undefined && last[0]?.kind === write.kind) last.push(write);
    else runs.push([write]);
  }
  return runs;
}

/** Runs a run's statement; returns each write's result, in the run's order. */
async function writeRun(table: string, run: readonly Pending[], query: SqlQuery): Promise<boolean[]> {
  if (run[0]?.kind === "set") {
    // A key twice in one statement: SQLite inserts the rows in order, the later one updates the
    // earlier, so the last value wins as it would one after the other.
    await query(
      `INSERT INTO ${table} (key, value) VALUES ${run.map(() => "(?, ?)").join(", ")}
       ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      ...run.flatMap((write) => [write.key, write.value]),
    );
    return run.map(() => true);
  }
  const rows = await query(
    `DELETE FROM ${table} WHERE key IN (SELECT value FROM json_each(?)) RETURNING key`,
    JSON.stringify(run.map((write) => write.key)),
  );
  const deleted = new Set(Array.isArray(rows) ? rows.map((row: { key?: unknown }) => row.key) : []);
  // A key deleted twice in one run: only its first delete found the row.
  return run.map((write) => deleted.delete(write.key));
}

/**
 * `table` is keyv's (key, value) table; `write` runs its work in the connection's write turn (the
 * gate's, so nothing else is on the connection meanwhile).
 */
export function createSqliteWrites(
  table: string,
  write: (run: (query: SqlQuery) => Promise<void>) => Promise<void>,
): SqliteWrites {
  const enqueue = writeBatches<Pending>(WRITES_PER_BATCH, write, async (batch, query) => {
    const runs = runsOf(batch);
    const writeAll = async () => {
      const results: boolean[] = [];
      for (const run of runs) results.push(...(await writeRun(table, run, query)));
      return results;
    };
    // One statement is atomic by itself; several roll back together.
    const results = runs.length === 1 ? await writeAll() : await inTransaction(query, writeAll);
    batch.forEach((pendingWrite, index) => {
      pendingWrite.settle(results[index] ?? false);
    });
  });

  const queue = (kind: Pending["kind"], key: string, value: string) =>
    new Promise<boolean>((settle, fail) => enqueue({ kind, key, value, settle, fail }));

  return {
    set: (key, value) => queue("set", key, value),
    delete: (key) => queue("delete", key, ""),
  };
}
