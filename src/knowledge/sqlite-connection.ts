/**
 * The knowledge index's SQLite connection (node-sqlite3) with sqlite-vec loaded, as promises. One
 * connection per process: SQLite's FTS5 and sqlite-vec's vec0 tables live in one file, and the
 * index's writes are serialised by the store above, so no statement needs a lock of its own.
 */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { getLoadablePath } from "sqlite-vec";
import sqlite3 from "sqlite3";

/** No bigint: node-sqlite3 binds one as NULL. */
export type SqlValue = string | number | Buffer | null;

export interface SqliteConnection {
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number; lastID: number }>;
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export async function openSqliteConnection(path: string): Promise<SqliteConnection> {
  if (path !== ":memory:") await mkdir(dirname(path), { recursive: true });
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened: sqlite3.Database = new sqlite3.Database(path, (error) =>
      error ? reject(error) : resolve(opened),
    );
  });
  await new Promise<void>((resolve, reject) =>
    db.loadExtension(getLoadablePath(), (error) => (error ? reject(error) : resolve())),
  );
  const connection: SqliteConnection = {
    run: (sql, params = []) =>
      new Promise((resolve, reject) =>
        db.run(sql, params, function (this: sqlite3.RunResult, error: Error | null) {
          if (error) reject(error);
          else resolve({ changes: this.changes, lastID: this.lastID });
        }),
      ),
    all: <Row>(sql: string, params: readonly SqlValue[] = []) =>
      new Promise<Row[]>((resolve, reject) =>
        db.all(sql, params, (error: Error | null, rows: Row[]) => (error ? reject(error) : resolve(rows))),
      ),
    get: <Row>(sql: string, params: readonly SqlValue[] = []) =>
      new Promise<Row | undefined>((resolve, reject) =>
        db.get(sql, params, (error: Error | null, row: Row | undefined) =>
          error ? reject(error) : resolve(row),
        ),
      ),
    exec: (sql) =>
      new Promise((resolve, reject) => db.exec(sql, (error) => (error ? reject(error) : resolve()))),
    close: () => new Promise((resolve, reject) => db.close((error) => (error ? reject(error) : resolve()))),
  };
  await connection.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
  return connection;
}
