import { EventEmitter } from "node:events";
import { Keyv } from "keyv";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { StoreError, type StoreLimits } from "../../src/store/conversation-store.js";
import type { HistoryLog } from "../../src/store/history-log.js";
import { createKeyvStore, sweepByIterating } from "../../src/store/keyv-store.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";

const LIMITS: StoreLimits = { historyTtlMs: 60_000, maxTurns: 50 };
const hello = { role: "user" as const, content: "hello", at: 1 };

/** A keyv backend whose every call does what `behave` says: hang, fail, or answer. */
class ScriptedAdapter extends EventEmitter {
  opts = { dialect: "scripted" };
  namespace: string | undefined;
  constructor(private readonly behave: () => Promise<undefined>) {
    super();
  }
  get(): Promise<undefined> {
    return this.behave();
  }
  async set(): Promise<void> {
    await this.behave();
  }
  async delete(): Promise<boolean> {
    await this.behave();
    return true;
  }
  async clear(): Promise<void> {
    await this.behave();
  }
}

const hang = () => new Promise<undefined>(() => {});

/** A history log whose every call hangs, as a stopped backend would. */
const hangingHistory: HistoryLog = {
  read: () => new Promise(() => {}),
  append: () => new Promise(() => {}),
  clear: () => new Promise(() => {}),
  forgetAuthor: () => new Promise(() => {}),
};

describe("createKeyvStore", () => {
  it("rejects every operation with a StoreError when the backend hangs", async () => {
    const store = createKeyvStore(new Keyv(new ScriptedAdapter(hang)), LIMITS, {
      name: "scripted",
      timeoutMs: 100,
      history: hangingHistory,
    });
    const operations: Array<[string, Promise<unknown>]> = [
      ["reading the history of c", store.getHistory("c")],
      ["saving the history of c", store.appendTurns("c", [hello])],
      ["clearing the history of c", store.clearHistory("c")],
      ["reading the binding k", store.getBinding("k")],
      ["saving the binding k", store.setBinding("k", "tutor")],
      ["saving the binding j", store.setBinding("j", undefined)],
      ["recording the event e", store.markSeen("e", 1_000)],
    ];
    for (const [what, operation] of operations) {
      const error = await operation.catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).message).toBe(
        `scripted: ${what} timed out after 100 ms: the store did not answer`,
      );
    }
    await store.close();
  });

  it("tells a history log whose write waited past the deadline that the caller gave up", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const signals: AbortSignal[] = [];
    const gated: HistoryLog = {
      ...hangingHistory,
      readsSignal: true,
      async append(_conversation, _turns, _order, signal) {
        if (signal) signals.push(signal);
        await gate;
      },
    };
    const store = createKeyvStore(new Keyv(), LIMITS, { timeoutMs: 100, history: gated });
    const first = store.appendTurns("c", [hello]).catch((reason: unknown) => reason);
    expect(await first).toBeInstanceOf(StoreError);
    release();
    await store.close();
    // What SQLite's log checks before it begins the transaction (sqlite-history.ts).
    expect(signals.map((signal) => signal.aborted)).toEqual([true]);
  });

  it("turns a backend failure (and its 'error' event) into a StoreError naming the operation", async () => {
    const adapter = new ScriptedAdapter(async () => {
      throw new Error("disk on fire");
    });
    const failing = async () => {
      // Adapters report failures as 'error' events too; with no listener Node would crash here.
      adapter.emit("error", new Error("disk on fire"));
      throw new Error("disk on fire");
    };
    adapter.get = failing;
    const store = createKeyvStore(new Keyv(adapter), LIMITS, { name: "scripted" });
    const error = await store.getHistory("c").catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toBe("scripted: reading the history of c failed");
    expect((error as StoreError).cause).toBeInstanceOf(Error);
    // What the log line says: the cause once, appended by the error serializer.
    expect(pino.stdSerializers.err(error as StoreError).message).toBe(
      "scripted: reading the history of c failed: disk on fire",
    );
    await expect(store.setBinding("k", "tutor")).rejects.toThrow("saving the binding k failed");
  });

  it("refuses limits that cannot work", () => {
    const keyv = new Keyv();
    expect(() => createKeyvStore(keyv, { historyTtlMs: 0, maxTurns: 5 })).toThrow(StoreError);
    expect(() => createKeyvStore(keyv, { historyTtlMs: 1_000, maxTurns: 0 })).toThrow(StoreError);
    expect(() => createKeyvStore(keyv, { historyTtlMs: 1_000, maxTurns: 2.5 })).toThrow(StoreError);
  });

  it("keeps keys under the troupe namespace", async () => {
    const map = new Map<string, unknown>();
    const store = createKeyvStore(new Keyv({ store: map }), LIMITS);
    await store.appendTurns("discord:1:2", [hello]);
    await store.setBinding("discord:1", "tutor");
    await store.markSeen("Ev1", 60_000);
    // History lives in the backend's own log, not in keyv.
    expect([...map.keys()].sort()).toEqual(["troupe:binding:discord:1", "troupe:seen:Ev1"]);
    expect(await store.getHistory("discord:1:2")).toEqual([hello]);
  });

  it("reads unparseable and wrongly shaped values as empty, and logs each", async () => {
    const map = new Map<string, unknown>([
      ["troupe:history:broken", "{not json"],
      ["troupe:history:old", JSON.stringify({ value: { turns: ["hi"] } })],
      ["troupe:binding:old", JSON.stringify({ value: "" })],
    ]);
    const logger = createRecordingLogger();
    const store = createKeyvStore(new Keyv({ store: map }), LIMITS, { logger });
    expect(await store.getHistory("broken")).toEqual([]);
    expect(await store.getHistory("old")).toEqual([]);
    expect(await store.getBinding("old")).toBeUndefined();
    const warnings = logger.lines.filter((line) => line.level === "warn");
    expect(warnings).toHaveLength(3);
    expect(warnings.map((line) => line.fields.key)).toEqual(["history:broken", "history:old", "binding:old"]);
    await store.appendTurns("old", [hello]);
    expect(await store.getHistory("old")).toEqual([hello]);
  });

  it("migrates a history the previous version kept in keyv, once, as its oldest turns", async () => {
    const map = new Map<string, unknown>();
    const keyv = new Keyv({ store: map, namespace: "troupe" });
    const old = [hello, { role: "assistant" as const, content: "hi", at: 2 }];
    await keyv.set("history:c", old, 60_000);
    const logger = createRecordingLogger();
    const store = createKeyvStore(keyv, LIMITS, { logger });
    const later = { role: "user" as const, content: "after the upgrade", at: 3 };
    await store.appendTurns("c", [later]);
    expect(await store.getHistory("c")).toEqual([...old, later]);
    expect(map.has("troupe:history:c")).toBe(false);
    expect(await store.getHistory("c")).toEqual([...old, later]);
    expect(logger.lines.filter((line) => line.message === "history migrated")).toHaveLength(1);
  });

  it("rejects a markSeen TTL that is not positive", async () => {
    const store = createKeyvStore(new Keyv(), LIMITS);
    await expect(store.markSeen("e", 0)).rejects.toBeInstanceOf(StoreError);
  });
});

describe("sweepByIterating", () => {
  it("deletes expired entries that nobody reads again, and keeps the rest", async () => {
    const map = new Map<string, unknown>();
    const keyv = new Keyv({ store: map });
    const store = createKeyvStore(keyv, { historyTtlMs: 50, maxTurns: 5 });
    await store.appendTurns("abandoned", [hello]);
    await store.markSeen("Ev-old", 50);
    await store.markSeen("Ev-new", 60_000);
    await store.setBinding("server", "tutor");
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the short TTLs pass
    await sweepByIterating(keyv);
    expect([...map.keys()].sort()).toEqual(["troupe:binding:server", "troupe:seen:Ev-new"]);
  });
});

describe("the deadline's signal for history writes", () => {
  /** A log that records the signal each append and clear was given. */
  function recordingHistory(readsSignal: boolean) {
    const given: (AbortSignal | undefined)[] = [];
    const history: HistoryLog = {
      readsSignal,
      read: async () => [],
      append: async (_id, _turns, _order, signal) => {
        given.push(signal);
      },
      clear: async (_id, _order, signal) => {
        given.push(signal);
      },
      forgetAuthor: async () => ({ turns: 0, conversations: 0 }),
    };
    return { history, given };
  }

  it("hands one to a log that reads it, so a write that waited past its deadline can skip itself", async () => {
    const { history, given } = recordingHistory(true);
    const store = createKeyvStore(new Keyv(), LIMITS, { history });
    await store.appendTurns("c", [hello], { order: 1 });
    await store.clearHistory("c", { order: 2 });
    expect(given).toHaveLength(2);
    for (const signal of given) {
      expect(signal).toBeInstanceOf(AbortSignal);
      expect(signal?.aborted).toBe(false);
    }
    await store.close();
  });

  it("hands none to a log that writes at once (memory, Redis)", async () => {
    const { history, given } = recordingHistory(false);
    const store = createKeyvStore(new Keyv(), LIMITS, { history });
    await store.appendTurns("c", [hello], { order: 1 });
    await store.clearHistory("c", { order: 2 });
    expect(given).toEqual([undefined, undefined]);
    await store.close();
  });
});
