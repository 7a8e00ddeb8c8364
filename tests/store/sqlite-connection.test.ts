import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import KeyvSqlite from "@keyv/sqlite";
import { Keyv } from "keyv";
import { afterEach, describe, expect, it } from "vitest";
import { createStore } from "../../src/store/create-store.js";
import { openSqliteFile, type SqliteFile, STATEMENTS_KEPT } from "../../src/store/sqlite-connection.js";
import { keyvTableSql } from "../../src/store/sqlite-keyv-adapter.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "troupe-connection-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

async function openFile(): Promise<SqliteFile> {
  const file = openSqliteFile(join(await freshDirectory(), "c.sqlite"), {
    busyTimeoutMs: 1_000,
    setUp: [keyvTableSql("keyv")],
  });
  cleanups.push(() => file.close());
  return file;
}

describe("the SQLite connection's kept statements", () => {
  it("prepares a statement once and runs it again with new parameters", async () => {
    const file = await openFile();
    for (const key of ["a", "b", "c"]) {
      await file.query("INSERT INTO keyv (key, value) VALUES (?, ?)", key, `value of ${key}`);
    }
    const read = "SELECT value FROM keyv WHERE key = ?";
    expect(await file.query(read, "b")).toEqual([{ value: "value of b" }]);
    expect(await file.query(read, "c")).toEqual([{ value: "value of c" }]);
    expect(await file.query(read, "missing")).toEqual([]);
    expect(file.statementsKept).toBe(2);
  });

  it("runs the same statement from many callers at once, each with its own rows", async () => {
    const file = await openFile();
    await file.query("INSERT INTO keyv (key, value) VALUES ('k1', 'one'), ('k2', 'two'), ('k3', 'three')");
    const read = "SELECT value FROM keyv WHERE key = ?";
    const keys = Array.from({ length: 30 }, (_, index) => `k${(index % 3) + 1}`);
    const rows = await Promise.all(keys.map((key) => file.query(read, key)));
    const expected = { k1: "one", k2: "two", k3: "three" } as Record<string, string>;
    expect(rows).toEqual(keys.map((key) => [{ value: expected[key] }]));
  });

  it("keeps at most STATEMENTS_KEPT, finalizing the least recently used, and still closes", async () => {
    const file = await openFile();
    for (let size = 1; size <= STATEMENTS_KEPT + 10; size++) {
      const values = Array.from({ length: size }, () => "(?, ?)").join(", ");
      const parameters = Array.from({ length: size }, (_, index) => [`n${size}:${index}`, "v"]).flat();
      await file.query(`INSERT INTO keyv (key, value) VALUES ${values}`, ...parameters);
    }
    expect(file.statementsKept).toBe(STATEMENTS_KEPT);
    const counted = await file.query("SELECT count(*) AS n FROM keyv");
    expect(counted).toEqual([{ n: ((STATEMENTS_KEPT + 10) * (STATEMENTS_KEPT + 11)) / 2 }]);
    await expect(file.close()).resolves.toBeUndefined();
  });

  it("fails a statement that does not prepare, keeps nothing of it, and goes on", async () => {
    const file = await openFile();
    await expect(file.query("SELECT missing_column FROM no_such_table")).rejects.toThrow(/no such table/);
    expect(file.statementsKept).toBe(0);
    await expect(file.query("SELECT missing_column FROM no_such_table")).rejects.toThrow(/no such table/);
    expect(await file.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("fails every query with the reason the file did not open", async () => {
    const directory = await freshDirectory();
    const inTheWay = join(directory, "a-file");
    await writeFile(inTheWay, "not a directory");
    const file = openSqliteFile(join(inTheWay, "c.sqlite"), { busyTimeoutMs: 1_000, setUp: [] });
    await expect(file.query("SELECT 1")).rejects.toMatchObject({ code: "SQLITE_CANTOPEN" });
    await expect(file.close()).resolves.toBeUndefined();
  });
});

describe("keyv's SQLite adapter over the connection", () => {
  it("lists every record across pages while expired ones are deleted on the way", async () => {
    const url = `sqlite://${join(await freshDirectory(), "list.sqlite")}`;
    const store = await createStore(url, { historyTtlMs: 60_000, maxTurns: 5 });
    cleanups.push(() => store.close());
    // Interleaved, so pages hold both: a delete must not shift a live record out of the scan.
    for (let index = 0; index < 250; index++) {
      const key = `list:${String(index).padStart(3, "0")}`;
      await store.putRecord(key, { index }, index % 2 === 0 ? 60_000 : 1);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    const listed = await store.listRecords("list:");
    expect(listed.map((record) => record.value)).toEqual(
      Array.from({ length: 125 }, (_, half) => ({ index: half * 2 })),
    );
  });

  it("writes rows @keyv/sqlite reads, and reads the rows it wrote", async () => {
    const url = `sqlite://${join(await freshDirectory(), "shared.sqlite")}`;
    const store = await createStore(url, { historyTtlMs: 60_000, maxTurns: 5 });
    await store.setBinding("server", "tutor");
    await store.close();
    const plain = new Keyv(new KeyvSqlite({ uri: url }), { namespace: "troupe" });
    expect(await plain.get("binding:server")).toBe("tutor");
    await plain.set("binding:channel", "pirate");
    await plain.disconnect();
    const again = await createStore(url, { historyTtlMs: 60_000, maxTurns: 5 });
    cleanups.push(() => again.close());
    expect(await again.getBindings(["server", "channel"])).toEqual(["tutor", "pirate"]);
  });

  it("answers keyv's has and clear, and clears only its own namespace", async () => {
    const url = `sqlite://${join(await freshDirectory(), "clear.sqlite")}`;
    const store = await createStore(url, { historyTtlMs: 60_000, maxTurns: 5 });
    await store.setBinding("server", "tutor");
    await store.close();
    const other = new Keyv(new KeyvSqlite({ uri: url }), { namespace: "other" });
    await other.set("kept", "yes");
    await other.disconnect();
    const { openSqlite } = await import("../../src/store/sqlite-backend.js");
    const backend = await openSqlite(url.slice("sqlite://".length), 2_000, {
      historyTtlMs: 60_000,
      maxTurns: 5,
    });
    backend.keyv.namespace = "troupe";
    cleanups.push(() => backend.keyv.disconnect());
    expect(await backend.keyv.has("binding:server")).toBe(true);
    expect(await backend.keyv.has("binding:nowhere")).toBe(false);
    await backend.keyv.clear();
    expect(await backend.keyv.has("binding:server")).toBe(false);
    const plain = new Keyv(new KeyvSqlite({ uri: url }), { namespace: "other" });
    expect(await plain.get("kept")).toBe("yes");
    await plain.disconnect();
  });
});
