import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import KeyvRedis, { createClient } from "@keyv/redis";
import KeyvSqlite from "@keyv/sqlite";
import { Keyv } from "keyv";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type ConversationStore,
  StoreError,
  type StoreLimits,
  type Turn,
} from "../../src/store/conversation-store.js";
import { createStore } from "../../src/store/create-store.js";
import { createRecordingLogger, type RecordingLogger } from "../helpers/recording-logger.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { waitUntil } from "./wait-until.js";

/** One backend as the contract sees it: where a store lives, and how older or foreign data gets there. */
interface Backend {
  /** A new, empty place (a SQLite file; Redis and memory need none). */
  newPlace(): string;
  open(limits: StoreLimits, place: string): Promise<ConversationStore>;
  /** The STORE_URL of a place. */
  url?(place: string): string;
  /** Two stores opened on one place share their data (separate connections, as separate processes). */
  shared: boolean;
  /** Writes a history the way the previous troupe did: one keyv value `history:<id>`. */
  writeLegacy?(place: string, conversationId: string, turns: Turn[]): Promise<void>;
  /** Puts an entry that is not a turn into a conversation's history, as a hand edit or another program would. */
  writeUnreadable?(place: string, conversationId: string, order: number): Promise<void>;
}

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
function storeContract(backend: Backend): void {
  const opened: ConversationStore[] = [];
  const openAt = async (place: string, limits: StoreLimits = LIMITS) => {
    const store = await backend.open(limits, place);
    opened.push(store);
    return store;
  };
  const openStore = (limits: StoreLimits = LIMITS) => openAt(backend.newPlace(), limits);
  const open = (limits: StoreLimits) => backend.open(limits, backend.newPlace());
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

  it("keeps each conversation's own turns, trimmed on its own, when many conversations append at once", async () => {
    // SQLite writes appends that queue together in one transaction: nothing may leak between them.
    const store = await openStore({ ...LIMITS, maxTurns: 4 });
    const ids = Array.from({ length: 30 }, (_, index) => newId(`burst-${index}`));
    const reset = ids[0] ?? "";
    await store.appendTurns(reset, [turn("before the reset")], { order: 10 });
    await store.clearHistory(reset, { order: 20 });
    await Promise.all(
      ids.flatMap((id, index) => [
        store.appendTurns(id, [turn(`${index} a`), turn(`${index} b`)], { order: 30 + index }),
        // Below the first conversation's reset watermark: dropped there, kept (then trimmed) elsewhere.
        store.appendTurns(id, [turn(`${index} early`)], { order: 15 }),
        store.appendTurns(id, [turn(`${index} c`), turn(`${index} d`), turn(`${index} e`)], {
          order: 100 + index,
        }),
      ]),
    );
    for (const [index, id] of ids.entries()) {
      const expected = [`${index} b`, `${index} c`, `${index} d`, `${index} e`];
      expect((await store.getHistory(id)).map((t) => t.content)).toEqual(expected);
    }
    // Trimmed by order key, not by arrival: a conversation given one more block keeps the newest.
    const [first] = ids;
    await store.appendTurns(first ?? "", [turn("late but old")], { order: 16 });
    expect((await store.getHistory(first ?? "")).map((t) => t.content)).toEqual(["0 b", "0 c", "0 d", "0 e"]);
  });

  it("orders blocks by their order key, not by when they were appended, each kept together", async () => {
    const store = await openStore();
    const id = newId("arrival");
    const ada = [turn("Ada asks", "user"), turn("to Ada", "assistant")];
    const bob = [turn("Bob asks", "user"), turn("to Bob", "assistant")];
    const cyd = [turn("Cyd asks", "user")];
    // Ada asked first but her answer finished last; Cyd asked in the same instant as Bob.
    await store.appendTurns(id, bob, { order: 2_000 });
    await store.appendTurns(id, cyd, { order: 2_000 });
    await store.appendTurns(id, ada, { order: 1_000 });
    expect((await store.getHistory(id)).map((t) => t.content)).toEqual([
      "Ada asks",
      "to Ada",
      "Bob asks",
      "to Bob",
      "Cyd asks",
    ]);
  });

  it("reads, with `before`, only the blocks whose questions arrived earlier", async () => {
    const store = await openStore();
    const id = newId("before");
    await store.appendTurns(id, [turn("first"), turn("answer 1", "assistant")], { order: 1_000 });
    await store.appendTurns(id, [turn("third")], { order: 3_000 });
    await store.appendTurns(id, [turn("second")], { order: 2_000 });
    expect((await store.getHistory(id, { before: 2_000 })).map((t) => t.content)).toEqual([
      "first",
      "answer 1",
    ]);
    expect((await store.getHistory(id, { before: 2_000.5 })).map((t) => t.content)).toEqual([
      "first",
      "answer 1",
      "second",
    ]);
    expect(await store.getHistory(id, { before: 1_000 })).toEqual([]);
  });

  it("trims by order key: the newest maxTurns by arrival stay", async () => {
    const store = await openStore({ ...LIMITS, maxTurns: 3 });
    const id = newId("trim-order");
    for (const order of [5_000, 1_000, 3_000, 4_000]) {
      await store.appendTurns(id, [turn(`at ${order}`)], { order });
    }
    expect((await store.getHistory(id)).map((t) => t.content)).toEqual(["at 3000", "at 4000", "at 5000"]);
    // Older than everything kept: trimmed as soon as it is added.
    await store.appendTurns(id, [turn("at 2000")], { order: 2_000 });
    expect((await store.getHistory(id)).map((t) => t.content)).toEqual(["at 3000", "at 4000", "at 5000"]);
  });

  it("keeps every turn when separate store instances append to one conversation at once", async () => {
    const place = backend.newPlace();
    // Separate connections where the backend is shared; memory has one instance per process.
    const stores = backend.shared
      ? await Promise.all([openAt(place), openAt(place), openAt(place)])
      : [await openAt(place)];
    const id = newId("instances");
    const writes = Array.from({ length: 24 }, (_, index) => ({
      store: stores[index % stores.length] as ConversationStore,
      order: 10_000 + index,
      turns: [turn(`q${index}`), turn(`a${index}`, "assistant")],
    }));
    await Promise.all(
      writes.map((write) => write.store.appendTurns(id, write.turns, { order: write.order })),
    );
    const expected = writes.flatMap((write) => write.turns.map((t) => t.content));
    for (const store of stores) {
      expect((await store.getHistory(id)).map((t) => t.content)).toEqual(expected);
    }
  });

  it("runs one key's work in call order, other keys at once, and passes results and failures through", async () => {
    const store = await openStore();
    const key = newId("person");
    const events: string[] = [];
    let open: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = store.inOrder(key, async () => {
      events.push("first starts");
      await held;
      events.push("first ends");
      return "first";
    });
    const second = store.inOrder(key, async () => {
      events.push("second");
      throw new Error("second failed");
    });
    const third = store.inOrder(key, async () => "third");
    expect(await store.inOrder(newId("someone else"), async () => "not held up")).toBe("not held up");
    open();
    expect(await first).toBe("first");
    await expect(second).rejects.toThrow("second failed");
    expect(await third).toBe("third");
    expect(events).toEqual(["first starts", "first ends", "second"]);
  });

  it("lets a reset win over exchanges whose questions arrived before it", async () => {
    const store = await openStore();
    const id = newId("watermark");
    await store.appendTurns(id, [turn("before the reset")], { order: 1_000 });
    await store.appendTurns(id, [turn("asked after the reset, answered before it ran")], { order: 3_000 });
    await store.clearHistory(id, { order: 2_000 });
    // A question from before the reset whose answer finishes after it: not stored.
    await store.appendTurns(id, [turn("late answer"), turn("...", "assistant")], { order: 1_500 });
    await store.appendTurns(id, [turn("after the reset")], { order: 4_000 });
    expect((await store.getHistory(id)).map((t) => t.content)).toEqual([
      "asked after the reset, answered before it ran",
      "after the reset",
    ]);
    // An earlier reset arriving late does not lower the watermark.
    await store.clearHistory(id, { order: 1_800 });
    await store.appendTurns(id, [turn("still too late")], { order: 1_900 });
    expect(await store.getHistory(id)).toHaveLength(2);
  });

  // Memory's migration is in keyv-store.test.ts (its keyv is built inside createStore).
  const { writeLegacy, writeUnreadable } = backend;
  if (writeLegacy !== undefined)
    it("migrates a history written by the previous version, as its oldest turns", async () => {
      const place = backend.newPlace();
      const id = newId("legacy");
      const old = [turn("from before the upgrade"), turn("old answer", "assistant")];
      await writeLegacy(place, id, old);
      const first = await openAt(place);
      const second = backend.shared ? await openAt(place) : first;
      await first.appendTurns(id, [turn("after the upgrade")]);
      // Two instances reading at once migrate it once.
      const [read, again] = await Promise.all([first.getHistory(id), second.getHistory(id)]);
      expect(read.map((t) => t.content)).toEqual([
        "from before the upgrade",
        "old answer",
        "after the upgrade",
      ]);
      expect(again).toEqual(read);
      expect(await (await openAt(place)).getHistory(id)).toEqual(read);
    });

  // Memory holds only turns it serialised itself.
  if (writeUnreadable !== undefined)
    it("skips an unreadable entry with one warning and keeps the rest", async () => {
      const place = backend.newPlace();
      const logger = createRecordingLogger();
      const store = await openAt(place);
      const id = newId("unreadable");
      await store.appendTurns(id, [turn("fine")], { order: 1_000 });
      await writeUnreadable(place, id, 1_500);
      await store.appendTurns(id, [turn("also fine")], { order: 2_000 });
      const reader = await createStoreAt(backend, place, logger);
      opened.push(reader);
      expect((await reader.getHistory(id)).map((t) => t.content)).toEqual(["fine", "also fine"]);
      expect(logger.lines.filter((line) => line.level === "warn").map((line) => line.message)).toEqual([
        "skipping unreadable stored turns",
      ]);
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

  it("reads several bindings at once, in the order asked, a missing one as undefined", async () => {
    const store = await openStore();
    const [conversation, channel, server] = [newId("conversation"), newId("channel"), newId("server")];
    await store.setBinding(channel, "coder");
    await store.setBinding(server, "tutor");
    expect(await store.getBindings([conversation, channel, server])).toEqual([undefined, "coder", "tutor"]);
    expect(await store.getBindings([server, conversation])).toEqual(["tutor", undefined]);
    expect(await store.getBindings([])).toEqual([]);
  });

  if (backend.shared)
    it("marks an event seen in exactly one of two stores on the same place", async () => {
      const place = backend.newPlace();
      const [one, two] = [await openAt(place), await openAt(place)];
      const event = newId("shared-event");
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? one : two).markSeen(event, 60_000)),
      );
      expect(answers.filter(Boolean)).toHaveLength(1);
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

  it("keeps several records in one call, each readable and listable, until their TTL", async () => {
    const store = await openStore();
    const prefix = `records:${newId("many")}:`;
    const records = [
      { key: `${prefix}exchange`, value: { answer: "é 🙂", messages: [{ role: "user", content: "hi" }] } },
      { key: `${prefix}message:1`, value: "exchange-id" },
      { key: `${prefix}last`, value: "exchange-id" },
    ];
    await store.putRecords(records, 60_000);
    for (const { key, value } of records) expect(await store.getRecord(key)).toEqual(value);
    const listed = await store.listRecords(prefix);
    expect(listed.sort((a, b) => a.key.localeCompare(b.key))).toEqual(
      [...records].sort((a, b) => a.key.localeCompare(b.key)),
    );
    await store.putRecords([{ key: `${prefix}brief`, value: 1 }], SHORT_TTL_MS);
    expect(await waitUntil(async () => (await store.getRecord(`${prefix}brief`)) === undefined)).toBe(true);
    expect(await store.getRecord(`${prefix}last`)).toBe("exchange-id");
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

/** A store at `place` that logs to `logger`. */
function createStoreAt(backend: Backend, place: string, logger: RecordingLogger): Promise<ConversationStore> {
  return backend.url === undefined
    ? backend.open(LIMITS, place)
    : createStore(backend.url(place), LIMITS, { logger });
}

describe("memory:// store", () => {
  storeContract({
    newPlace: () => "",
    open: (limits) => createStore("memory://", limits),
    shared: false,
  });
});

describe("sqlite:// store", () => {
  let directory = "";
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "troupe-store-"));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });
  // One file per place, so no test sees another's data; join() gives an absolute path: sqlite:///tmp/…
  const url = (place: string) => `sqlite://${place}`;
  storeContract({
    newPlace: () => join(directory, `${randomUUID()}.sqlite`),
    open: (limits, place) => createStore(url(place), limits),
    url,
    shared: true,
    async writeLegacy(place, conversationId, turns) {
      // Exactly how the previous troupe wrote it: keyv over @keyv/sqlite, namespace troupe.
      const keyv = new Keyv(new KeyvSqlite({ uri: url(place) }), { namespace: "troupe" });
      await keyv.set(`history:${conversationId}`, turns, LIMITS.historyTtlMs);
      await keyv.disconnect();
    },
    async writeUnreadable(place, conversationId, order) {
      const adapter = new KeyvSqlite({ uri: url(place) });
      await adapter.query(
        "INSERT INTO troupe_turns (conversation, ord, turn) VALUES (?, ?, ?), (?, ?, ?)",
        conversationId,
        order,
        "{not json",
        conversationId,
        order,
        JSON.stringify({ role: "narrator", content: 5 }),
      );
      await adapter.disconnect();
    },
  });
});

describe("redis:// store", () => {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const url = () => {
    if (server === undefined) throw new Error("redis-server did not start (see the error in beforeAll)");
    return server.url;
  };
  storeContract({
    newPlace: () => "",
    open: (limits) => createStore(url(), limits),
    url,
    shared: true,
    async writeLegacy(_place, conversationId, turns) {
      // Exactly how the previous troupe wrote it (redis-backend.ts): KeyvRedis under namespace troupe.
      const client = createClient({ url: url() });
      await client.connect();
      const keyv = new Keyv(new KeyvRedis(client, { namespace: "troupe" }), {
        namespace: "troupe",
        useKeyPrefix: false,
      });
      await keyv.set(`history:${conversationId}`, turns, LIMITS.historyTtlMs);
      client.destroy();
    },
    async writeUnreadable(_place, conversationId, order) {
      const client = createClient({ url: url() });
      await client.connect();
      await client.zAdd(`troupe:turns:${conversationId}`, [
        { score: order, value: "b:000000:{not json" },
        { score: order, value: "no colons at all" },
        { score: order, value: `c:000000:${JSON.stringify({ role: "narrator", content: 5 })}` },
      ]);
      client.destroy();
    },
  });
});
