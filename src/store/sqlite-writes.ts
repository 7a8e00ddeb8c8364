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
import type { SqlQuery } from "./sqlite-history.js";

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
  let pending: Pending[] = [];
  let queued = false;

  async function flush(query: SqlQuery): Promise<void> {
    // Taken at the write turn, not before: everything that queued meanwhile joins this batch.
    const batch = pending.slice(0, WRITES_PER_BATCH);
    pending = pending.slice(batch.length);
    queued = false;
    if (pending.length > 0) schedule();
    const runs = runsOf(batch);
    const results: boolean[] = [];
    try {
      if (runs.length === 1 && runs[0] !== undefined) {
        results.push(...(await writeRun(table, runs[0], query)));
      } else {
        await query("BEGIN IMMEDIATE");
        try {
          for (const run of runs) results.push(...(await writeRun(table, run, query)));
          await query("COMMIT");
        } catch (error) {
          await query("ROLLBACK").catch(() => undefined);
          throw error;
        }
      }
    } catch (error) {
      for (const pendingWrite of batch) pendingWrite.fail(error);
      return;
    }
    batch.forEach((pendingWrite, index) => {
      pendingWrite.settle(results[index] ?? false);
    });
  }

  function schedule(): void {
    queued = true;
    // flush settles every write itself; the turn's own failure (before flush ran) fails what waits.
    write(flush).catch((error: unknown) => {
      queued = false;
      for (const pendingWrite of pending.splice(0)) pendingWrite.fail(error);
    });
  }

  function enqueue(kind: Pending["kind"], key: string, value: string): Promise<boolean> {
    return new Promise<boolean>((settle, fail) => {
      pending.push({ kind, key, value, settle, fail });
      if (!queued) schedule();
    });
  }

  return {
    set: (key, value) => enqueue("set", key, value),
    delete: (key) => enqueue("delete", key, ""),
  };
}
