import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type ConversationStore,
  StoreError,
  type StoreLimits,
  type Turn,
} from "../../src/store/conversation-store.js";
import { createStore } from "../../src/store/create-store.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { waitUntil } from "./wait-until.js";

type StoreFactory = (limits: StoreLimits) => Promise<ConversationStore>;

const LIMITS: StoreLimits = { historyTtlMs: 60_000, maxTurns: 50 };
/** Short enough to watch expire, long enough to be set before it does. */
const SHORT_TTL_MS = 300;

function newId(label: string): string {
  return `test:${label}:${randomUUID()}`;
}

let clock = 1_700_000_000_000;
function turn(content: string, role: Turn["role"] = "user", extra: Partial<Turn> = {}): Turn {
  clock += 1;
  return { role, content, at: clock, ...extra };
}

/** The one contract every backend must meet, run below against memory, SQLite and Redis. */
function storeContract(open: StoreFactory): void {
  const opened: ConversationStore[] = [];
  const openStore = async (limits: StoreLimits = LIMITS) => {
    const store = await open(limits);
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it("has an empty history for an unknown conversation", async () => {
    const store = await openStore();
    expect(await store.getHistory(newId("unknown"))).toEqual([]);
  });

  it("appends turns and reads them oldest first, with every field", async () => {
    const store = await openStore();
    const id = newId("order");
    const first = turn("hello", "user", { author: { id: "u1", name: "Ada" } });
    const second = turn("hi Ada", "assistant", { persona: "tutor" });
    const third = turn("what is a monad?", "user", { author: { id: "u2", name: "Grace" } });
    await store.appendTurns(id, [first, second]);
    await store.appendTurns(id, [third]);
    expect(await store.getHistory(id)).toEqual([first, second, third]);
  });

  it("keeps only the newest maxTurns", async () => {
    const store = await openStore({ ...LIMITS, maxTurns: 3 });
    const id = newId("trim");
    const turns = ["one", "two", "three", "four", "five"].map((content) => turn(content));
    await store.appendTurns(id, turns.slice(0, 2));
    await store.appendTurns(id, turns.slice(2));
    expect((await store.getHistory(id)).map((t) => t.content)).toEqual(["three", "four", "five"]);
    await store.appendTurns(id, [turn("six")]);
    expect((await store.getHistory(id)).map((t) => t.content)).toEqual(["four", "five", "six"]);
  });

  it("loses no turn when appends to one conversation overlap", async () => {
    const store = await openStore();
    const id = newId("concurrent");
    const contents = Array.from({ length: 10 }, (_, index) => `message ${index}`);
    await Promise.all(contents.map((content) => store.appendTurns(id, [turn(content)])));
    const stored = (await store.getHistory(id)).map((t) => t.content);
    expect(stored).toHaveLength(10);
    expect([...stored].sort()).toEqual([...contents].sort());
  });

  it("clears a history, and clearing an unknown one is fine", async () => {
    const store = await openStore();
    const id = newId("clear");
    await store.appendTurns(id, [turn("forget me")]);
    await store.clearHistory(id);
    expect(await store.getHistory(id)).toEqual([]);
    await expect(store.clearHistory(newId("never"))).resolves.toBeUndefined();
    await store.appendTurns(id, [turn("after the reset")]);
    expect((await store.getHistory(id)).map((t) => t.content)).toEqual(["after the reset"]);
  });

  it("sets, replaces and removes bindings", async () => {
    const store = await openStore();
    const key = newId("binding");
    expect(await store.getBinding(key)).toBeUndefined();
    await store.setBinding(key, "tutor");
    expect(await store.getBinding(key)).toBe("tutor");
    await store.setBinding(key, "coder");
    expect(await store.getBinding(key)).toBe("coder");
    await store.setBinding(key, undefined);
    expect(await store.getBinding(key)).toBeUndefined();
    await expect(store.setBinding(newId("absent"), undefined)).resolves.toBeUndefined();
  });

  it("keeps bindings and history apart, even under the same id", async () => {
    const store = await openStore();
    const id = newId("apart");
    await store.setBinding(id, "storyteller");
    expect(await store.getHistory(id)).toEqual([]);
    await store.appendTurns(id, [turn("once upon a time")]);
    await store.clearHistory(id);
    expect(await store.getBinding(id)).toBe("storyteller");
    await store.appendTurns(id, [turn("again")]);
    await store.setBinding(id, undefined);
    expect((await store.getHistory(id)).map((t) => t.content)).toEqual(["again"]);
  });

  it("forgets a history after its TTL, but not the bindings", async () => {
    const store = await openStore({ ...LIMITS, historyTtlMs: SHORT_TTL_MS });
    const id = newId("ttl");
    await store.setBinding(id, "support");
    await store.appendTurns(id, [turn("soon gone")]);
    const expired = await waitUntil(async () => (await store.getHistory(id)).length === 0);
    expect(expired).toBe(true);
    expect(await store.getBinding(id)).toBe("support");
  });

  it("keeps conversations isolated from each other", async () => {
    const store = await openStore();
    const a = newId("a");
    const b = newId("b");
    await store.appendTurns(a, [turn("for a")]);
    await store.appendTurns(b, [turn("for b"), turn("also b")]);
    expect((await store.getHistory(a)).map((t) => t.content)).toEqual(["for a"]);
    expect((await store.getHistory(b)).map((t) => t.content)).toEqual(["for b", "also b"]);
    await store.clearHistory(a);
    expect(await store.getHistory(a)).toEqual([]);
    expect(await store.getHistory(b)).toHaveLength(2);
  });

  it("marks an event seen once, and only once under concurrency", async () => {
    const store = await openStore();
    const event = newId("event");
    expect(await store.markSeen(event, 60_000)).toBe(true);
    expect(await store.markSeen(event, 60_000)).toBe(false);
    expect(await store.markSeen(newId("other-event"), 60_000)).toBe(true);
    const racing = newId("racing");
    const answers = await Promise.all(Array.from({ length: 10 }, () => store.markSeen(racing, 60_000)));
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it("sees an event as new again after its TTL", async () => {
    const store = await openStore();
    const event = newId("expiring-event");
    expect(await store.markSeen(event, SHORT_TTL_MS)).toBe(true);
    expect(await waitUntil(() => store.markSeen(event, SHORT_TTL_MS))).toBe(true);
  });

  it("round-trips unicode and a 200,000-character turn", async () => {
    const store = await openStore();
    const id = newId("unicode 🙂 ç:ß");
    const tricky = [
      "emoji 👩‍👩‍👧 🇯🇵 and combining é",
      "日本語、中文, 한국어, العربية, עברית",
      "quotes \" ' ` backslash \\ tab \t newline \n nul \u0000",
      ":base64:aGVsbG8=",
      "::starts with colons",
      "<@everyone> & <!channel>",
    ];
    const big = "a€🌍".repeat(50_000); // 🌍 is two UTF-16 code units
    expect(big).toHaveLength(200_000);
    const turns = [
      ...tricky.map((content) => turn(content, "user", { author: { id: "ü", name: "Zoë 🦊" } })),
      turn(big, "assistant", { persona: "conteur-é" }),
    ];
    await store.appendTurns(id, turns);
    const stored = await store.getHistory(id);
    expect(stored).toEqual(turns);
    expect(stored.at(-1)?.content).toHaveLength(200_000);
    await store.setBinding(`${id}:channel`, "persona-ü🙂");
    expect(await store.getBinding(`${id}:channel`)).toBe("persona-ü🙂");
  });

  it("rejects operations after close with a StoreError", async () => {
    const store = await open(LIMITS);
    await store.close();
    await expect(store.getHistory(newId("closed"))).rejects.toBeInstanceOf(StoreError);
    await expect(store.close()).resolves.toBeUndefined();
  });
}

describe("memory:// store", () => {
  storeContract((limits) => createStore("memory://", limits));
});

describe("sqlite:// store", () => {
  let directory = "";
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "troupe-store-"));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });
  // One file per store, so no test sees another's data; join() gives an absolute path: sqlite:///tmp/…
  storeContract((limits) => createStore(`sqlite://${join(directory, `${randomUUID()}.sqlite`)}`, limits));
});

describe("redis:// store", () => {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  storeContract((limits) => {
    if (server === undefined) throw new Error("redis-server did not start (see the error in beforeAll)");
    return createStore(server.url, limits);
  });
});
