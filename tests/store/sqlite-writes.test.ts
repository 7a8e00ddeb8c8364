import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import KeyvSqlite from "@keyv/sqlite";
import { Keyv } from "keyv";
import { afterEach, describe, expect, it } from "vitest";
import { createStore } from "../../src/store/create-store.js";
import { createSqliteGate } from "../../src/store/sqlite-gate.js";
import type { SqlQuery } from "../../src/store/sqlite-history.js";
import { createSqliteWrites } from "../../src/store/sqlite-writes.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function freshDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "troupe-writes-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

/**
 * keyv's table in a fresh file, and batched writes over it that record the statements they send,
 * in write turns one at a time. `failWhen` makes a statement fail.
 */
async function writesOnAFile(failWhen: (sql: string) => boolean = () => false) {
  const adapter = new KeyvSqlite({ uri: `sqlite://${join(await freshDirectory(), "writes.sqlite")}` });
  cleanups.unshift(() => adapter.disconnect());
  const statements: string[] = [];
  const query: SqlQuery = async (sql, ...parameters) => {
    statements.push(sql.trim().split(/\s+/).slice(0, 2).join(" "));
    if (failWhen(sql)) throw new Error("disk I/O error");
    return adapter.query(sql, ...parameters);
  };
  // The connection's own gate: a write turn starts at once when the connection is free.
  const gate = createSqliteGate();
  let turns = 0;
  const write = (run: (query: SqlQuery) => Promise<void>) =>
    gate.write(() => {
      turns += 1;
      return run(query);
    });
  const rows = async () =>
    (await adapter.query("SELECT key, value FROM keyv ORDER BY key")) as { key: string; value: string }[];
  return { writes: createSqliteWrites("keyv", write), statements, adapter, rows, turns: () => turns };
}

describe("SQLite writes (keyv's set and delete)", () => {
  it("sends a lone set at once, as one statement and no transaction", async () => {
    const { writes, statements, rows } = await writesOnAFile();
    expect(await writes.set("troupe:record:a", '{"value":1}')).toBe(true);
    expect(statements).toEqual(["INSERT INTO"]);
    expect(await rows()).toEqual([{ key: "troupe:record:a", value: '{"value":1}' }]);
  });

  it("sends sets that queue together as one statement, each stored", async () => {
    const { writes, statements, rows, turns } = await writesOnAFile();
    const keys = Array.from({ length: 20 }, (_, index) => `troupe:record:${String(index).padStart(2, "0")}`);
    const results = await Promise.all(keys.map((key, index) => writes.set(key, `{"value":${index}}`)));
    expect(results.every((stored) => stored)).toBe(true);
    // The first goes alone; the nineteen that queued behind it share the next turn's one statement.
    expect(turns()).toBe(2);
    expect(statements).toEqual(["INSERT INTO", "INSERT INTO"]);
    expect(await rows()).toEqual(keys.map((key, index) => ({ key, value: `{"value":${index}}` })));
  });

  it("applies sets and deletes of one batch in arrival order, in one transaction", async () => {
    const { writes, statements, rows, adapter } = await writesOnAFile();
    await adapter.set("troupe:binding:old", '{"value":"x"}');
    const first = writes.set("troupe:binding:warm-up", '{"value":"w"}');
    const batch = [
      writes.set("troupe:binding:a", '{"value":"1"}'),
      writes.set("troupe:binding:a", '{"value":"2"}'),
      writes.delete("troupe:binding:old"),
      writes.delete("troupe:binding:old"),
      writes.delete("troupe:binding:never"),
      writes.set("troupe:binding:old", '{"value":"back"}'),
    ];
    await first;
    expect(await Promise.all(batch)).toEqual([true, true, true, false, false, true]);
    expect(statements.slice(1)).toEqual([
      "BEGIN IMMEDIATE",
      "INSERT INTO",
      "DELETE FROM",
      "INSERT INTO",
      "COMMIT",
    ]);
    expect(await rows()).toEqual([
      { key: "troupe:binding:a", value: '{"value":"2"}' },
      { key: "troupe:binding:old", value: '{"value":"back"}' },
      { key: "troupe:binding:warm-up", value: '{"value":"w"}' },
    ]);
  });

  it("fails every write of a failing batch, keeps none of it, and the next write still goes", async () => {
    let failing = false;
    const { writes, rows } = await writesOnAFile((sql) => failing && sql.startsWith("DELETE"));
    const first = writes.set("troupe:record:first", '{"value":0}');
    failing = true;
    const batch = Promise.allSettled([
      writes.set("troupe:record:lost", '{"value":1}'),
      writes.delete("troupe:record:first"),
      writes.set("troupe:record:also-lost", '{"value":2}'),
    ]);
    expect(await first).toBe(true);
    for (const result of await batch) {
      expect(result).toMatchObject({ status: "rejected", reason: { message: "disk I/O error" } });
    }
    failing = false;
    expect(await writes.set("troupe:record:after", '{"value":3}')).toBe(true);
    expect((await rows()).map((row) => row.key)).toEqual(["troupe:record:after", "troupe:record:first"]);
  });

  it("stores rows byte for byte as @keyv/sqlite's own set does, and keyv reads them back", async () => {
    const { writes, rows } = await writesOnAFile();
    const plain = new Keyv(
      new KeyvSqlite({ uri: `sqlite://${join(await freshDirectory(), "plain.sqlite")}` }),
    );
    cleanups.unshift(() => plain.disconnect());
    const values: [string, unknown, number | undefined][] = [
      ["troupe:record:exchange", { prompt: "héllo \u{1F600}", turns: [1, 2], nested: { a: null } }, 60_000],
      ["troupe:binding:dm", "persona-a", undefined],
      ["troupe:seen:e1", true, 5_000],
    ];
    const serialize = (value: unknown, ttl: number | undefined) =>
      plain.serializeData({ value, expires: ttl === undefined ? undefined : 1_700_000_000_000 + ttl });
    for (const [key, value, ttl] of values) {
      const serialized = await serialize(value, ttl);
      await plain.opts.store.set(key, serialized);
    }
    await Promise.all(
      values.map(async ([key, value, ttl]) => writes.set(key, String(await serialize(value, ttl)))),
    );
    const stored: unknown = await (plain.opts.store as KeyvSqlite).query(
      "SELECT key, value FROM keyv ORDER BY key",
    );
    expect(await rows()).toEqual(stored);
  });
});

describe("a SQLite store written by many answers at once", () => {
  it("reads back every record and binding as written, through keyv", async () => {
    const store = await createStore(`sqlite://${join(await freshDirectory(), "store.sqlite")}`, {
      historyTtlMs: 60_000,
      maxTurns: 50,
    });
    try {
      const records = Array.from({ length: 40 }, (_, index) => ({
        key: `exchange:${index}`,
        value: { prompt: [{ role: "user", content: `question ${index}` }], answer: `answer ${index}` },
      }));
      await Promise.all([
        ...records.map(({ key, value }) => store.putRecord(key, value, 60_000)),
        ...records.map((_, index) => store.setBinding(`conversation:c${index}`, `persona-${index}`)),
      ]);
      await Promise.all([
        ...records.filter((_, index) => index % 4 === 0).map(({ key }) => store.deleteRecord(key)),
        ...records
          .filter((_, index) => index % 5 === 0)
          .map((_, index) => store.setBinding(`conversation:c${index * 5}`, undefined)),
      ]);
      for (const [index, { key, value }] of records.entries()) {
        expect(await store.getRecord(key)).toEqual(index % 4 === 0 ? undefined : value);
        expect(await store.getBinding(`conversation:c${index}`)).toBe(
          index % 5 === 0 ? undefined : `persona-${index}`,
        );
      }
    } finally {
      await store.close();
    }
  });
});
