import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import KeyvSqlite from "@keyv/sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { createSqliteClaims } from "../../src/store/sqlite-claims.js";
import type { SqlQuery } from "../../src/store/sqlite-history.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** keyv's table in a fresh file, and claims over it that count the statements they send. */
async function claimsOnAFile(now?: () => number) {
  const directory = await mkdtemp(join(tmpdir(), "troupe-claims-"));
  const adapter = new KeyvSqlite({ uri: `sqlite://${join(directory, "claims.sqlite")}` });
  cleanups.push(async () => {
    await adapter.disconnect();
    await rm(directory, { recursive: true, force: true });
  });
  const statements: string[] = [];
  const query: SqlQuery = (sql, ...parameters) => {
    statements.push(sql);
    return adapter.query(sql, ...parameters);
  };
  let turn = Promise.resolve();
  // One write at a time, as the connection gate gives them.
  const write = (run: (query: SqlQuery) => Promise<void>) => {
    const next = turn.then(() => run(query));
    turn = next.catch(() => undefined);
    return next;
  };
  const record = (expires: number) => JSON.stringify({ value: true, expires });
  return { claim: createSqliteClaims("keyv", write, now), statements, adapter, record };
}

describe("SQLite claims (markSeen)", () => {
  it("claims a burst of keys in a couple of statements, each answered for its own key", async () => {
    const { claim, statements, record } = await claimsOnAFile();
    const keys = Array.from({ length: 50 }, (_, index) => `troupe:seen:event-${index}`);
    const first = await Promise.all(keys.map((key) => claim(key, record(Date.now() + 60_000))));
    expect(first.every((fresh) => fresh)).toBe(true);
    expect(statements.length).toBeLessThanOrEqual(2);
    const again = await Promise.all(keys.map((key) => claim(key, record(Date.now() + 60_000))));
    expect(again.some((fresh) => fresh)).toBe(false);
  });

  it("gives a key claimed twice in one burst to its first claim only", async () => {
    const { claim, record } = await claimsOnAFile();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => claim("troupe:seen:retried", record(Date.now() + 60_000))),
    );
    expect(answers).toEqual([true, false, false, false, false, false]);
  });

  it("takes over an expired row, and leaves a live or unreadable one", async () => {
    const { claim, adapter, record } = await claimsOnAFile();
    await adapter.set("troupe:seen:old", record(Date.now() - 1_000));
    await adapter.set("troupe:seen:live", record(Date.now() + 60_000));
    await adapter.set("troupe:seen:garbled", "{not json");
    const answers = await Promise.all(
      ["old", "live", "garbled"].map((name) => claim(`troupe:seen:${name}`, record(Date.now() + 60_000))),
    );
    expect(answers).toEqual([true, false, false]);
  });
});
