import { describe, expect, it } from "vitest";
import type { SqlQuery } from "../../src/store/sqlite-history.js";
import { writeBatches } from "../../src/store/sqlite-write-batch.js";

interface Item {
  n: number;
  settle(value: number): void;
  fail(error: unknown): void;
}

const query: SqlQuery = async () => [];

function item(n: number): { item: Item; result: Promise<number> } {
  let handlers: Pick<Item, "settle" | "fail"> = { settle: () => {}, fail: () => {} };
  const result = new Promise<number>((settle, fail) => {
    handlers = { settle, fail };
  });
  return { item: { n, ...handlers }, result };
}

describe("SQLite write batches", () => {
  it("sends what queued while a turn was taken as one batch, at most `limit` at a time", async () => {
    const batches: number[][] = [];
    let turns = 0;
    const enqueue = writeBatches<Item>(
      2,
      async (run) => {
        turns += 1;
        await new Promise((resolve) => setImmediate(resolve));
        await run(query);
      },
      async (batch) => {
        batches.push(batch.map((entry) => entry.n));
        for (const entry of batch) entry.settle(entry.n * 10);
      },
    );
    const items = [1, 2, 3, 4, 5].map(item);
    for (const { item: entry } of items) enqueue(entry);
    expect(await Promise.all(items.map(({ result }) => result))).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
    expect(turns).toBe(3);
  });

  it("fails the whole batch when its flush throws", async () => {
    const enqueue = writeBatches<Item>(
      10,
      (run) => run(query),
      async () => {
        throw new Error("disk full");
      },
    );
    const first = item(1);
    const second = item(2);
    enqueue(first.item);
    enqueue(second.item);
    await expect(first.result).rejects.toThrow("disk full");
    await expect(second.result).rejects.toThrow("disk full");
  });

  it("fails what waits when the turn itself fails, and starts a new turn for what comes next", async () => {
    let fail = true;
    const enqueue = writeBatches<Item>(
      10,
      async (run) => {
        if (fail) throw new Error("cannot open the file");
        await run(query);
      },
      async (batch) => {
        for (const entry of batch) entry.settle(entry.n);
      },
    );
    const lost = item(1);
    enqueue(lost.item);
    await expect(lost.result).rejects.toThrow("cannot open the file");
    fail = false;
    const next = item(2);
    enqueue(next.item);
    expect(await next.result).toBe(2);
  });
});
