/**
 * Opening sqlite://: keyv (over @keyv/sqlite's table, sqlite-keyv-adapter.ts) and the history
 * tables on one connection that keeps its prepared statements (sqlite-connection.ts), the
 * connection's gate (reads together, a write alone: sqlite-gate.ts), markSeen as batched claims
 * (sqlite-claims.ts), keyv's reads and writes batched (sqlite-reads.ts, sqlite-writes.ts), the expiry sweep keyv lacks, and the once-per-process question whether the
 * file holds any pre-upgrade history at all (so a new conversation's first read skips the look).
 */
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Keyv } from "keyv";
import { bounded } from "./bounded.js";
import type { HistoryLimits, HistoryLog } from "./history-log.js";
import { type SetIfAbsent, STORE_NAMESPACE } from "./keyv-store.js";
import { createSqliteClaims } from "./sqlite-claims.js";
import { openSqliteFile } from "./sqlite-connection.js";
import { createSqliteGate } from "./sqlite-gate.js";
import { createSqliteHistory, type SqlQuery } from "./sqlite-history.js";
import { keyvTableSql, SqliteKeyvAdapter } from "./sqlite-keyv-adapter.js";
import { createKeyReads } from "./sqlite-reads.js";
import { createSqliteWrites } from "./sqlite-writes.js";
import { describeFailure } from "./store-error-text.js";

/** How long SQLite waits on a lock held by another process before failing (below the operation deadline). */
const BUSY_TIMEOUT_MS = 1_000;

/** keyv's table, as @keyv/sqlite names it: files written before read the same. */
const TABLE = "keyv";

/** A statement that only reads (keyv's get, getMany, has): it may share the connection with other reads. */
const SELECT = /^\s*SELECT\b/i;

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
  /** Records a key unless a live one is there (atomic across processes too; claims at once share a statement). */
  setIfAbsent: SetIfAbsent;
  /** Whether the file holds any history key of the previous troupe (asked once, at the first read). */
  holdsLegacyHistory(): Promise<boolean>;
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
  // One connection serves keyv and the history tables, its statements prepared once
  // (sqlite-connection.ts). A write (a history transaction, or one of keyv's statements) has it
  // alone; reads share it (sqlite-gate.ts).
  const file = openSqliteFile(path, { busyTimeoutMs: BUSY_TIMEOUT_MS, setUp: [keyvTableSql(TABLE)] });
  const gate = createSqliteGate();
  const read: SqlQuery = (sql, ...parameters) => gate.read(() => file.query(sql, ...parameters));
  const query: SqlQuery = (sql, ...parameters) =>
    SELECT.test(sql) ? read(sql, ...parameters) : gate.write(() => file.query(sql, ...parameters));
  // A write turn: the connection alone, for keyv's batched writes, claims and history transactions.
  const exclusive = <T>(work: (query: SqlQuery) => Promise<T>) => gate.write(() => work(file.query));
  const adapter = new SqliteKeyvAdapter({
    table: TABLE,
    query,
    // keyv's reads of keys that arrive together go as one SELECT (sqlite-reads.ts).
    readKeys: createKeyReads(TABLE, read),
    // keyv's sets and deletes that queue for the connection go as one transaction (sqlite-writes.ts).
    writes: createSqliteWrites(TABLE, exclusive),
    disconnect: () => file.close(),
  });
  const keyv = new Keyv(adapter);
  const history = createSqliteHistory({ exclusive, read }, limits);

  const claim = createSqliteClaims(TABLE, exclusive);
  const setIfAbsent: SetIfAbsent = (key, value) => claim(`${STORE_NAMESPACE}:${key}`, value);
  // A key range, not LIKE, so the primary key's index answers it.
  const legacy = `SELECT 1 AS found FROM ${TABLE} WHERE key >= ? AND key < ? LIMIT 1`;
  const holdsLegacyHistory = async () => {
    const rows = await query(legacy, `${STORE_NAMESPACE}:history:`, `${STORE_NAMESPACE}:history;`);
    return Array.isArray(rows) && rows.length > 0;
  };

  // SQLite has no expiry: keyv stores {"value":…,"expires":<ms>} and deletes an expired row only
  // when it is read again, which seen-event ids and abandoned conversations never are. One
  // statement clears them; a row that is not JSON is left for the reader to report.
  const sweep = `DELETE FROM ${TABLE} WHERE key LIKE ? AND
    CASE WHEN json_valid(value) THEN json_extract(value, '$.expires') END < ?`;
  const sweepExpired = async () => {
    await query(sweep, `${STORE_NAMESPACE}:%`, Date.now());
  };
  return { keyv, history, sweepExpired, setIfAbsent, holdsLegacyHistory };
}
