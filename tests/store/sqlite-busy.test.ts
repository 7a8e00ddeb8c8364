import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import KeyvSqlite from "@keyv/sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSqliteBusy, retryWhileBusy } from "../../src/store/sqlite-busy.js";
import { createSqliteHistory, type SqlQuery } from "../../src/store/sqlite-history.js";

/** An error shaped as node-sqlite3 reports one. */
function sqliteError(code: string): Error {
  return Object.assign(new Error(`${code}: something`), { code });
}

/** Work that fails with each of `failures` in turn, then resolves "done"; counts its tries. */
function failing(...failures: Error[]) {
  const attempt = { tries: 0 };
  const work = async () => {
    const failure = failures[attempt.tries];
    attempt.tries += 1;
    if (failure !== undefined) throw failure;
    return "done";
  };
  return { attempt, work };
}

describe("retrying a statement SQLite refused as busy", () => {
  it("tries again after each SQLITE_BUSY until the statement goes through", async () => {
    const { attempt, work } = failing(sqliteError("SQLITE_BUSY"), sqliteError("SQLITE_BUSY"));
    expect(await retryWhileBusy(work)).toBe("done");
    expect(attempt.tries).toBe(3);
  });

  it("throws any other failure at once", async () => {
    const { attempt, work } = failing(sqliteError("SQLITE_READONLY"));
    await expect(retryWhileBusy(work)).rejects.toThrow("SQLITE_READONLY");
    expect(attempt.tries).toBe(1);
  });

  it("throws the refusal once its time is up", async () => {
    const { attempt, work } = failing(sqliteError("SQLITE_BUSY"), sqliteError("SQLITE_BUSY"));
    await expect(retryWhileBusy(work, 0)).rejects.toThrow("SQLITE_BUSY");
    expect(attempt.tries).toBe(1);
  });

  it("knows SQLITE_BUSY by its code", () => {
    expect(isSqliteBusy(sqliteError("SQLITE_BUSY"))).toBe(true);
    expect(isSqliteBusy(sqliteError("SQLITE_LOCKED"))).toBe(false);
    expect(isSqliteBusy(new Error("SQLITE_BUSY: said, not coded"))).toBe(false);
    expect(isSqliteBusy("SQLITE_BUSY")).toBe(false);
  });
});

describe("the SQLite history log on a file another connection is writing", () => {
  let directory = "";
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "troupe-sqlite-busy-"));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("switches a new file to WAL once the other write is done, though SQLite refuses at once without waiting", async () => {
    const uri = `sqlite://${join(directory, "fresh.sqlite")}`;
    // A connection in the middle of a write on the new file (not yet WAL), as a second process
    // making its tables in the same file at the same moment is.
    const other = new KeyvSqlite({ uri });
    const store = new KeyvSqlite({ uri, busyTimeout: 1_000 });
    try {
      // Both have made keyv's table (a write each) before the other starts its write.
      await Promise.all([other.query("SELECT 1"), store.query("SELECT 1")]);
      await other.query("BEGIN IMMEDIATE");
      const refused: string[] = [];
      const query: SqlQuery = async (sql, ...parameters) => {
        try {
          return await store.query(sql, ...parameters);
        } catch (error) {
          if (!isSqliteBusy(error)) throw error;
          refused.push(sql);
          // The other write ends only after SQLite has refused, so the retry is what gets through.
          await other.query("COMMIT");
          throw error;
        }
      };
      const history = createSqliteHistory(
        { exclusive: (work) => work(query), read: query },
        { historyTtlMs: 60_000, maxTurns: 50 },
      );
      expect(await history.read("conversation", undefined)).toEqual([]);
      expect(refused).toEqual(["PRAGMA journal_mode=WAL"]);
      expect(await store.query("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
    } finally {
      await Promise.all([other.disconnect(), store.disconnect()]);
    }
  });
});
