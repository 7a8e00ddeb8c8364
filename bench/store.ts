/**
 * The store figures, on the real store over each backend (memory://, a fresh SQLite file, a private
 * redis-server on loopback when one can be started):
 * - the store's part of a message before the model is called (markSeen, the bindings of every
 *   scope, the history read), 50 messages at once, each in its own conversation;
 * - the cost of one append when the conversation holds 4 turns (the append of turn 5) and when it
 *   holds 499 (turn 500): an append does not read the history back, so the two should match;
 * - SQLite under load: two connections on one file (as two processes would be) each serving 50
 *   conversations at once for a few seconds, counting operations that failed with SQLITE_BUSY.
 * Not a test: timings live here, never in tests.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { ConversationStore, StoreLimits, Turn } from "../src/store/conversation-store.js";
import { createStore } from "../src/store/create-store.js";
import { startRedisServer } from "../tests/helpers/redis-server.js";
import { makeTempDir, removeTempDir } from "./children.js";
import { type Summary, summarize } from "./stats.js";

const LIMITS: StoreLimits = { historyTtlMs: 24 * 60 * 60 * 1000, maxTurns: 500 };
const SCOPES = 3;

export interface StoreBackendFigures {
  backend: string;
  /** markSeen + getBindings + getHistory for one message, 50 at once. */
  beforeModel: Summary;
  appendAtTurn5: Summary;
  appendAtTurn500: Summary;
}

export interface SqliteLoadFigures {
  seconds: number;
  operations: number;
  failures: number;
  busy: number;
}

function turn(index: number): Turn {
  return {
    role: index % 2 === 0 ? "user" : "assistant",
    content: `Turn ${index}: ${"a reasonably long chat message with some words in it ".repeat(4)}`,
    author: index % 2 === 0 ? { id: "u1", name: "Ada" } : undefined,
    at: Date.now(),
  };
}

/** The store's work for one incoming message, up to the model call (bot.ts, answer.ts). */
async function beforeModel(store: ConversationStore, conversation: string): Promise<void> {
  await store.markSeen(`event:${randomUUID()}`, 60_000);
  await store.getBindings(Array.from({ length: SCOPES }, (_, scope) => `${scope}:${conversation}`));
  await store.getHistory(conversation, { before: Date.now() });
}

async function timeEach(count: number, work: (index: number) => Promise<void>, atOnce: boolean) {
  const timings: number[] = [];
  const one = async (index: number) => {
    const started = performance.now();
    await work(index);
    timings.push(performance.now() - started);
  };
  if (atOnce) await Promise.all(Array.from({ length: count }, (_, index) => one(index)));
  else for (let index = 0; index < count; index++) await one(index);
  return timings;
}

export async function benchStoreBackend(
  backend: string,
  url: string,
  conversations = 50,
  rounds = 6,
): Promise<StoreBackendFigures> {
  const store = await createStore(url, LIMITS);
  try {
    const before: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const ids = Array.from({ length: conversations }, () => `bench:${randomUUID()}`);
      const timings = await timeEach(conversations, (index) => beforeModel(store, ids[index] ?? ""), true);
      // The first round warms the connection and the code up.
      if (round > 0) before.push(...timings);
      await Promise.all(ids.map((id) => store.appendTurns(id, [turn(0), turn(1)])));
    }
    const appendAt = async (held: number) => {
      const ids = Array.from({ length: 100 }, () => `bench:${randomUUID()}`);
      for (const id of ids)
        await store.appendTurns(
          id,
          Array.from({ length: held }, (_, index) => turn(index)),
        );
      return summarize(
        await timeEach(ids.length, (index) => store.appendTurns(ids[index] ?? "", [turn(held)]), false),
      );
    };
    await appendAt(4); // warm-up
    return {
      backend,
      beforeModel: summarize(before),
      appendAtTurn5: await appendAt(4),
      appendAtTurn500: await appendAt(499),
    };
  } finally {
    await store.close();
  }
}

function isBusy(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED" || /SQLITE_BUSY/.test(cause.message)) return true;
  }
  return false;
}

export async function benchSqliteLoad(seconds = 5, conversations = 50): Promise<SqliteLoadFigures> {
  const dir = makeTempDir("troupe-bench-store-");
  const url = `sqlite://${join(dir, "load.sqlite")}`;
  const stores = [await createStore(url, LIMITS), await createStore(url, LIMITS)];
  const figures: SqliteLoadFigures = { seconds, operations: 0, failures: 0, busy: 0 };
  const until = Date.now() + seconds * 1000;
  const attempt = async (work: Promise<unknown>) => {
    figures.operations += 1;
    try {
      await work;
    } catch (error) {
      figures.failures += 1;
      if (isBusy(error)) figures.busy += 1;
    }
  };
  try {
    await Promise.all(
      stores.flatMap((store, which) =>
        Array.from({ length: conversations }, async (_, index) => {
          const id = `load:${which}:${index}`;
          for (let exchange = 0; Date.now() < until; exchange++) {
            await attempt(store.markSeen(`event:${randomUUID()}`, 60_000));
            await attempt(store.getBindings([`conversation:${id}`, `channel:${index % 5}`, "server"]));
            await attempt(store.getHistory(id));
            await attempt(store.appendTurns(id, [turn(exchange * 2), turn(exchange * 2 + 1)]));
            if (exchange % 20 === 19) await attempt(store.setBinding(`conversation:${id}`, "tutor"));
          }
        }),
      ),
    );
    return figures;
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    removeTempDir(dir);
  }
}

/** Every backend this machine can run: memory, SQLite, and Redis when redis-server starts. */
export async function benchStore(): Promise<{ backends: StoreBackendFigures[]; load: SqliteLoadFigures }> {
  const backends = [await benchStoreBackend("memory", "memory://")];
  const dir = makeTempDir("troupe-bench-store-");
  try {
    backends.push(await benchStoreBackend("SQLite", `sqlite://${join(dir, "troupe.sqlite")}`));
  } finally {
    removeTempDir(dir);
  }
  const redis = await startRedisServer().catch(() => undefined);
  if (redis !== undefined) {
    try {
      backends.push(await benchStoreBackend("Redis", redis.url));
    } finally {
      await redis.stop();
    }
  }
  return { backends, load: await benchSqliteLoad() };
}
