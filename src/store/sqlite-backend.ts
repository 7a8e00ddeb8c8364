import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import KeyvSqlite from "@keyv/sqlite";
import { Keyv } from "keyv";
import { createKeyedQueue } from "../lib/keyed-queue.js";
import { bounded } from "./bounded.js";
import type { HistoryLimits, HistoryLog } from "./history-log.js";
import { STORE_NAMESPACE } from "./keyv-store.js";
import { createSqliteHistory } from "./sqlite-history.js";
import { describeFailure } from "./store-error-text.js";

/** How long SQLite waits on a lock held by another process before failing (below the operation deadline). */
const BUSY_TIMEOUT_MS = 1_000;

/** What went wrong opening a SQLite file, in words for the start-up message. */
export class SqliteOpenError extends Error {}

/** Resolves `sqlite://<path>`: `./data/x.sqlite` is relative to the working directory, `/var/x.sqlite` absolute. */
export function sqlitePath(rawPath: string): string {
  return resolve(process.cwd(), rawPath);
}

export interface SqliteBackend {
  keyv: Keyv;
  /** The history tables, on the same connection. */
  history: HistoryLog;
  /** Deletes the expired rows of the troupe namespace. */
  sweepExpired(): Promise<void>;
}

/** Creates the parent directory and a keyv over the file. The connection opens in the background. */
export async function openSqlite(
  path: string,
  timeoutMs: number,
  limits: HistoryLimits,
): Promise<SqliteBackend> {
  const directory = dirname(path);
  try {
    // Bounded: Node's recursive mkdir spins forever on some special file systems (/proc/<missing>).
    await bounded("creating the directory", timeoutMs, () => mkdir(directory, { recursive: true }));
  } catch (error) {
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    throw new SqliteOpenError(`cannot create the directory ${directory}: ${describeFailure(cause)}`, {
      cause: error,
    });
  }
  // KeyvSqlite opens the file in its constructor and reports a failure as an 'error' event; the
  // Keyv built right after listens to it, and the first query (the start-up probe) rejects with it.
  const adapter = new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: BUSY_TIMEOUT_MS });
  const keyv = new Keyv(adapter);
  // One connection serves keyv and the history tables. A history write is a transaction of several
  // statements; every statement (keyv's too) waits its turn on this lock, so none of keyv's lands
  // inside a history transaction (and would be rolled back with it).
  const lock = createKeyedQueue();
  const rawQuery = adapter.query;
  adapter.query = (sql, ...parameters) => lock.run("connection", () => rawQuery(sql, ...parameters));
  const history = createSqliteHistory(
    { exclusive: (work) => lock.run("connection", () => work(rawQuery)) },
    limits,
  );

  // SQLite has no expiry: keyv stores {"value":…,"expires":<ms>} and deletes an expired row only
  // when it is read again, which seen-event ids and abandoned conversations never are. One
  // statement clears them; a row that is not JSON is left for the reader to report.
  const sweep = `DELETE FROM ${adapter.opts.table} WHERE key LIKE ? AND
    CASE WHEN json_valid(value) THEN json_extract(value, '$.expires') END < ?`;
  const sweepExpired = async () => {
    await adapter.query(sweep, `${STORE_NAMESPACE}:%`, Date.now());
  };
  return { keyv, history, sweepExpired };
}
