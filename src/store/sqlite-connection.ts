/**
 * sqlite://'s one connection (node-sqlite3), with its prepared statements kept and run again.
 * @keyv/sqlite's only way in is node-sqlite3's Database#all, which prepares a statement, runs it and
 * finalizes it: three trips through libuv's pool and back through the event loop for every query.
 * A Slack message runs the same few statements every time (its claims, its bindings, its history,
 * its append's transaction, its answer's records), so each text is prepared once: a batched key read
 * measured 113 µs of CPU through Database#all and 45 µs through a kept statement. Hand-written
 * because @keyv/sqlite keeps its Database private and node-sqlite3 has no statement cache.
 *
 * The least recently used statements beyond STATEMENTS_KEPT are finalized (a batch's text grows
 * with its size, so a burst makes a few dozen); one that fails to prepare is not kept. Runs of one
 * statement queue on it (node-sqlite3 runs them one after the other), and a finalize waits for them.
 */
import sqlite3 from "sqlite3";
import type { SqlQuery } from "./sqlite-history.js";

/** A few dozen texts: the fixed statements and the batch sizes a burst uses. */
export const STATEMENTS_KEPT = 64;

export interface SqliteConnectionOptions {
  /** How long SQLite waits on a lock held by another process before failing with SQLITE_BUSY. */
  busyTimeoutMs: number;
  /** Run once the file is open, before any query (keyv's table). */
  setUp: readonly string[];
}

export interface SqliteFile {
  /** One statement with its parameters; resolves with its rows. Fails as node-sqlite3 fails it. */
  query: SqlQuery;
  /** Finalizes the kept statements and closes the file (once: later calls get the same result). */
  close(): Promise<void>;
  /** How many prepared statements are kept now. */
  readonly statementsKept: number;
}

/**
 * Opens `path` in the background: a failure to open (a directory in the way, no permission) is
 * the failure of every query, the first of which is the start-up probe.
 */
export function openSqliteFile(path: string, options: SqliteConnectionOptions): SqliteFile {
  const kept = new Map<string, Promise<sqlite3.Statement>>();
  const connected = new Promise<sqlite3.Database>((resolve, reject) => {
    const database: sqlite3.Database = new sqlite3.Database(path, (error) =>
      error ? reject(error) : resolve(database),
    );
  }).then(async (database) => {
    database.configure("busyTimeout", options.busyTimeoutMs);
    for (const sql of options.setUp) await run(database, sql, []);
    return database;
  });
  // Reported by the queries; not an unhandled rejection while none is asked.
  connected.catch(() => undefined);

  let closing: Promise<void> | undefined;
  async function closeFile(): Promise<void> {
    const database = await connected.catch(() => undefined);
    if (database === undefined) return;
    const statements = [...kept.values()];
    kept.clear();
    // SQLite refuses to close a connection with a statement not yet finalized.
    await Promise.all(statements.map(finalize));
    await new Promise<void>((resolve, reject) =>
      database.close((error) => (error ? reject(error) : resolve())),
    );
  }

  function prepared(database: sqlite3.Database, sql: string): Promise<sqlite3.Statement> {
    const found = kept.get(sql);
    if (found !== undefined) {
      // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
      kept.delete(sql);
      kept.set(sql, found);
      return found;
    }
    const statement = new Promise<sqlite3.Statement>((resolve, reject) => {
      const made: sqlite3.Statement = database.prepare(sql, (error) =>
        error ? reject(error) : resolve(made),
      );
    });
    kept.set(sql, statement);
    statement.catch(() => {
      if (kept.get(sql) === statement) kept.delete(sql);
    });
    for (const [oldest, dropped] of kept) {
      if (kept.size <= STATEMENTS_KEPT) break;
      kept.delete(oldest);
      void finalize(dropped);
    }
    return statement;
  }

  return {
    query: async (sql, ...parameters) => {
      const database = await connected;
      const statement = await prepared(database, sql);
      return new Promise<unknown[]>((resolve, reject) =>
        statement.all(parameters, (error: Error | null, rows: unknown[]) =>
          error ? reject(error) : resolve(rows),
        ),
      );
    },
    // Once: a second close (the store's, then a test's) finds the file already closed.
    close: () => {
      closing ??= closeFile();
      return closing;
    },
    get statementsKept() {
      return kept.size;
    },
  };
}

/** Runs `sql` once, without keeping it (the set-up statements). */
function run(database: sqlite3.Database, sql: string, parameters: unknown[]): Promise<void> {
  return new Promise((resolve, reject) =>
    database.run(sql, parameters, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}

/** Finalizes a kept statement once its runs are done; one that never prepared has nothing to free. */
async function finalize(statement: Promise<sqlite3.Statement>): Promise<void> {
  const made = await statement.catch(() => undefined);
  if (made === undefined) return;
  await new Promise<void>((resolve) => made.finalize(() => resolve()));
}
