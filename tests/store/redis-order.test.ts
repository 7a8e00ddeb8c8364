/**
 * Per-person order across instances: two stores on one real Redis (separate connections, as two
 * processes would have) share one line per key through `inOrder`; a holder that dies is skipped
 * when its lease lapses; a waiter that gives up does not hold the line; Redis going away falls back
 * to in-process order with one warning.
 */
import { randomUUID } from "node:crypto";
import { createClient } from "@keyv/redis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { ConversationStore, StoreLimits } from "../../src/store/conversation-store.js";
import { type CreateStoreOptions, createStore } from "../../src/store/create-store.js";
import type { OrderTimings } from "../../src/store/redis-order.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

const LIMITS: StoreLimits = { historyTtlMs: 60_000, maxTurns: 50 };

function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

let server: RedisServer | undefined;
const opened: ConversationStore[] = [];
beforeAll(async () => {
  server = await startRedisServer();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  await server?.stop();
});

async function openStore(
  timings: Partial<OrderTimings> = {},
  options: CreateStoreOptions = {},
): Promise<ConversationStore> {
  if (server === undefined) throw new Error("redis-server did not start");
  const store = await createStore(server.url, LIMITS, { ...options, orderTimings: timings });
  opened.push(store);
  return store;
}

/** The number of tickets taken for `key`, read straight from Redis. */
async function ticketsTaken(key: string): Promise<number> {
  if (server === undefined) throw new Error("redis-server did not start");
  const client = createClient({ url: server.url });
  await client.connect();
  try {
    return Number(await client.get(`troupe:order:${key}:next`));
  } finally {
    client.destroy();
  }
}

describe("inOrder on Redis, across store instances", () => {
  it("runs one key's work in call order across instances, and other keys at once", async () => {
    const [first, second] = [await openStore(), await openStore()];
    const key = `person:${randomUUID()}`;
    const events: string[] = [];
    const held = gate();
    const onFirst = first.inOrder(key, async () => {
      events.push("first starts");
      await held.opened;
      events.push("first ends");
    });
    await vi.waitFor(() => expect(events).toEqual(["first starts"]));
    const onSecond = second.inOrder(key, async () => {
      events.push("second runs");
    });
    await vi.waitFor(async () => expect(await ticketsTaken(key)).toBe(2));
    // Another person's line is not held up by this one.
    await second.inOrder(`person:${randomUUID()}`, async () => {
      events.push("someone else runs");
    });
    expect(events).toEqual(["first starts", "someone else runs"]);
    held.open();
    await Promise.all([onFirst, onSecond]);
    expect(events).toEqual(["first starts", "someone else runs", "first ends", "second runs"]);
  });

  it("passes over a holder that died once its lease lapses", async () => {
    const timings = { leaseMs: 300, refreshMs: 100 };
    const [dying, survivor] = [await openStore(timings), await openStore(timings)];
    const key = `person:${randomUUID()}`;
    let diedHolding = false;
    void dying.inOrder(key, async () => {
      diedHolding = true;
      await new Promise(() => {}); // never finishes: the instance crashed mid-answer
    });
    await vi.waitFor(() => expect(diedHolding).toBe(true));
    await dying.close(); // its connection is gone: no release, no lease refresh
    const ran = await survivor.inOrder(key, async () => "the next ticket ran");
    expect(ran).toBe("the next ticket ran");
  });

  it("does not hold the line for a waiter that stopped waiting", async () => {
    // A lease far longer than the test: a ticket nobody released would stall it.
    const timings = { leaseMs: 120_000, refreshMs: 60_000 };
    const [holder, quitter, next] = [
      await openStore(timings),
      await openStore(timings),
      await openStore(timings),
    ];
    const key = `person:${randomUUID()}`;
    const held = gate();
    let holding = false;
    const onHolder = holder.inOrder(key, async () => {
      holding = true;
      await held.opened;
    });
    await vi.waitFor(() => expect(holding).toBe(true));
    const stop = new AbortController();
    const onQuitter = quitter.inOrder(key, async () => "ran at once on stop", { signal: stop.signal });
    await vi.waitFor(async () => expect(await ticketsTaken(key)).toBe(2));
    stop.abort();
    expect(await onQuitter).toBe("ran at once on stop");
    const onNext = next.inOrder(key, async () => "next ran");
    held.open();
    await onHolder;
    expect(await onNext).toBe("next ran");
  });

  it("keeps this instance's order, with one warning, when Redis is gone", async () => {
    const local = await startRedisServer();
    const logger = createRecordingLogger();
    const store = await createStore(local.url, LIMITS, { logger });
    opened.push(store);
    await local.crash();
    const key = `person:${randomUUID()}`;
    const events: string[] = [];
    const held = gate();
    const calls = [
      store.inOrder(key, async () => {
        events.push("one starts");
        await held.opened;
        events.push("one ends");
      }),
      store.inOrder(key, async () => {
        events.push("two");
      }),
    ];
    await vi.waitFor(() => expect(events).toEqual(["one starts"]));
    held.open();
    await Promise.all(calls);
    expect(events).toEqual(["one starts", "one ends", "two"]);
    const warnings = logger.lines.filter((line) => line.message.includes("per-person order"));
    expect(warnings.map((line) => line.level)).toEqual(["warn"]);
  });
});
