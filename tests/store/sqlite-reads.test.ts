import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Turn } from "../../src/store/conversation-store.js";
import { createStore } from "../../src/store/create-store.js";
import { batchedReads } from "../../src/store/sqlite-reads.js";

describe("reads that arrive together", () => {
  it("go as one statement once the one before is done, each read getting its own answer", async () => {
    const statements: number[][] = [];
    let finishFirst = () => {};
    const firstDone = new Promise<void>((resolve) => {
      finishFirst = resolve;
    });
    const read = batchedReads(async (requests: readonly number[]) => {
      statements.push([...requests]);
      if (statements.length === 1) await firstDone;
      return requests.map((request) => request * 10);
    });
    const first = read(1);
    const rest = [read(2), read(3), read(4)];
    finishFirst();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(statements).toEqual([[1], [2, 3, 4]]);
  });

  it("fail together when their statement fails, and the next statement still goes", async () => {
    let calls = 0;
    const read = batchedReads(async (requests: readonly string[]) => {
      calls += 1;
      if (calls === 2) throw new Error("disk I/O error");
      return requests.map((request) => request.toUpperCase());
    });
    const first = read("a");
    const failing = [read("b"), read("c")];
    expect(await first).toBe("A");
    for (const result of await Promise.allSettled(failing)) {
      expect(result).toMatchObject({ status: "rejected", reason: { message: "disk I/O error" } });
    }
    expect(await read("d")).toBe("D");
  });
});

describe("a SQLite store read by many messages at once", () => {
  let directory = "";
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "troupe-sqlite-reads-"));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("answers each history and binding read as it would alone", async () => {
    const store = await createStore(`sqlite://${join(directory, "reads.sqlite")}`, {
      historyTtlMs: 60_000,
      maxTurns: 50,
    });
    try {
      const conversations = Array.from({ length: 30 }, (_, index) => `c${index}`);
      for (const [index, id] of conversations.entries()) {
        // Conversation i holds i turns at orders 1…i, and every third one a binding.
        for (let order = 1; order <= index; order++) {
          const turn: Turn = { role: "user", content: `${id} turn ${order}`, at: order };
          await store.appendTurns(id, [turn], { order });
        }
        if (index % 3 === 0) await store.setBinding(`conversation:${id}`, `persona-${index}`);
      }
      const boundOf = (index: number) => (index % 2 === 0 ? undefined : Math.ceil(index / 2));
      const alone = [];
      for (const [index, id] of conversations.entries()) {
        alone.push({
          history: await store.getHistory(id, { before: boundOf(index) }),
          bindings: await store.getBindings([`conversation:${id}`, "server"]),
        });
      }
      const together = await Promise.all(
        conversations.map(async (id, index) => ({
          history: await store.getHistory(id, { before: boundOf(index) }),
          bindings: await store.getBindings([`conversation:${id}`, "server"]),
        })),
      );
      expect(together).toEqual(alone);
      // What "alone" read is what was written: odd conversations only the turns before their bound.
      expect(together[7]?.history.map((turn) => turn.content)).toEqual([1, 2, 3].map((n) => `c7 turn ${n}`));
      expect(together[8]?.history).toHaveLength(8);
      expect(together[9]?.bindings).toEqual(["persona-9", undefined]);
      expect(together[10]?.bindings).toEqual([undefined, undefined]);
    } finally {
      await store.close();
    }
  });
});
