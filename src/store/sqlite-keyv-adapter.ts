/**
 * keyv's storage adapter for sqlite://, over our own connection (sqlite-connection.ts, which keeps
 * prepared statements; @keyv/sqlite opens its own Database and runs each query through
 * Database#all). The table and the rows are @keyv/sqlite's exactly (`key VARCHAR(255) PRIMARY KEY,
 * value TEXT`, keyv's serialized value), so a file written by either reads the same in the other.
 * Reads and writes go through their batching (sqlite-reads.ts, sqlite-writes.ts); the rest is
 * the few statements keyv asks of an adapter.
 */
import { EventEmitter } from "node:events";
import type { SqlQuery } from "./sqlite-history.js";
import type { SqliteWrites } from "./sqlite-writes.js";

/** @keyv/sqlite's table, made when the file opens (idempotent). */
export function keyvTableSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table}(key VARCHAR(255) PRIMARY KEY, value TEXT )`;
}

/** Rows per page of a scan (listRecords, the memory-less sweep of keyv's iterator). */
const PAGE = 100;

export interface SqliteKeyvParts {
  table: string;
  /** Any statement, through the connection's gate. */
  query: SqlQuery;
  readKeys(keys: readonly string[]): Promise<readonly unknown[]>;
  writes: SqliteWrites;
  disconnect(): Promise<void>;
}

export class SqliteKeyvAdapter extends EventEmitter {
  /** keyv offers an iterator only to an adapter whose dialect it knows. */
  readonly opts: { dialect: "sqlite"; url: string; table: string };
  namespace: string | undefined;

  constructor(private readonly parts: SqliteKeyvParts) {
    super();
    this.opts = { dialect: "sqlite", url: "sqlite://", table: parts.table };
  }

  async get(key: string): Promise<unknown> {
    return (await this.parts.readKeys([key]))[0];
  }

  getMany(keys: string[]): Promise<readonly unknown[]> {
    return this.parts.readKeys(keys);
  }

  set(key: string, value: string): Promise<boolean> {
    return this.parts.writes.set(key, value);
  }

  delete(key: string): Promise<boolean> {
    return this.parts.writes.delete(key);
  }

  async has(key: string): Promise<boolean> {
    const rows = await this.parts.query(`SELECT 1 AS found FROM ${this.parts.table} WHERE key = ?`, key);
    return Array.isArray(rows) && rows.length > 0;
  }

  async clear(): Promise<void> {
    await this.parts.query(
      `DELETE FROM ${this.parts.table} WHERE key LIKE ?`,
      this.namespace === undefined ? "%" : `${this.namespace}:%`,
    );
  }

  /**
   * Every row under `namespace`, a page at a time in key order. Each page starts after the last
   * key seen, not at an offset, so keyv deleting an expired row it walks past skips no other row.
   */
  async *iterator(namespace?: string): AsyncGenerator<[string, unknown], void> {
    const { table, query } = this.parts;
    const prefix = namespace === undefined ? "" : `${namespace}:`;
    // ';' follows ':': every key of the namespace is below it, so the primary key's index answers.
    const upper = namespace === undefined ? "" : "AND key < ?";
    const bounds = namespace === undefined ? [] : [`${namespace};`];
    let after: string | undefined;
    for (;;) {
      const rows = (await query(
        `SELECT key, value FROM ${table} WHERE key ${after === undefined ? ">=" : ">"} ? ${upper}
         ORDER BY key LIMIT ?`,
        after ?? prefix,
        ...bounds,
        PAGE,
      )) as { key: string; value: unknown }[];
      for (const row of rows) yield [row.key, row.value];
      const last = rows.at(-1);
      if (last === undefined || rows.length < PAGE) return;
      after = last.key;
    }
  }

  disconnect(): Promise<void> {
    return this.parts.disconnect();
  }
}
