import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@keyv/redis";
import KeyvSqlite from "@keyv/sqlite";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ConversationStore, StoreError, type StoreLimits } from "../../src/store/conversation-store.js";
import { createStore } from "../../src/store/create-store.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";
import { freePort, type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { succeeds, waitUntil } from "./wait-until.js";

const LIMITS: StoreLimits = { historyTtlMs: 60_000, maxTurns: 50 };
const hello = { role: "user" as const, content: "hello", at: 1 };

/** The rejection of `promise`, which must be a StoreError. */
async function storeErrorOf(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

let directory = "";
const stores: ConversationStore[] = [];
async function track(store: Promise<ConversationStore>): Promise<ConversationStore> {
  const opened = await store;
  stores.push(opened);
  return opened;
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "troupe-create-store-"));
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close().catch(() => undefined)));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("createStore with sqlite://", () => {
  it("keeps history and bindings across close and reopen", async () => {
    const url = `sqlite://${join(directory, "reopen.sqlite")}`;
    const first = await createStore(url, LIMITS);
    await first.appendTurns("console:reopen", [hello]);
    await first.setBinding("console:reopen", "tutor");
    await first.close();

    const second = await track(createStore(url, LIMITS));
    expect(await second.getHistory("console:reopen")).toEqual([hello]);
    expect(await second.getBinding("console:reopen")).toBe("tutor");
  });

  it("creates the directory of the default-style relative path", async () => {
    const workDirectory = join(directory, "relative");
    await rm(workDirectory, { recursive: true, force: true });
    await mkdir(workDirectory);
    const previous = process.cwd();
    process.chdir(workDirectory);
    try {
      const store = await createStore("sqlite://./data/troupe.sqlite", LIMITS);
      await store.setBinding("server", "coder");
      await store.close();
    } finally {
      process.chdir(previous);
    }
    expect(existsSync(join(workDirectory, "data", "troupe.sqlite"))).toBe(true);
  });

  it("names STORE_URL, the path and a fix when the directory cannot be created", async () => {
    const blocker = join(directory, "a-file");
    await writeFile(blocker, "not a directory");
    const url = `sqlite://${join(blocker, "troupe.sqlite")}`;
    const error = await storeErrorOf(createStore(url, LIMITS));
    expect(error.message).toContain(`STORE_URL=${url}`);
    expect(error.message).toContain("cannot create the directory");
    expect(error.message).toContain("writable");
    expect(error.message).toContain("memory://");
  });

  it("names STORE_URL and the problem when the file cannot be opened", async () => {
    const url = `sqlite://${directory}`; // a directory, not a file
    const error = await storeErrorOf(createStore(url, LIMITS));
    expect(error.message).toContain(`STORE_URL=${url}`);
    expect(error.message).toContain("cannot use the SQLite database");
    expect(error.message).toContain("cannot open the file");
    expect(error.message).toContain("memory://");
  });

  it("puts the file in WAL mode, so other processes read while one writes", async () => {
    const url = `sqlite://${join(directory, "wal.sqlite")}`;
    await track(createStore(url, LIMITS));
    const raw = new KeyvSqlite({ uri: url });
    try {
      expect(await raw.query("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
    } finally {
      await raw.disconnect();
    }
  });

  it("opens every store of ten started together on one fresh file, round after round", async () => {
    // As processes starting at one moment do: each connection switches the new file to WAL, which
    // SQLite refuses at once (SQLITE_BUSY, no busy wait) while another connection reads it.
    for (let round = 0; round < 8; round++) {
      const url = `sqlite://${join(directory, `together-${round}.sqlite`)}`;
      const opened = await Promise.allSettled(
        Array.from({ length: 10 }, () => track(createStore(url, LIMITS))),
      );
      const failures = opened.flatMap((result) =>
        result.status === "rejected" ? [String(result.reason)] : [],
      );
      expect(failures).toEqual([]);
      const together = opened.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
      // One store after another: ten connections in one process writing at once would wait for
      // each other in libuv's four threads, which separate processes do not share.
      for (const [index, store] of together.entries()) {
        await store.appendTurns("c", [{ ...hello, content: `hello ${index}` }], { order: index + 1 });
      }
      const expected = together.map((_, index) => `hello ${index}`);
      for (const store of together) {
        expect((await store.getHistory("c")).map((turn) => turn.content)).toEqual(expected);
        expect(await store.markSeen(`event:${round}`, 60_000)).toBe(store === together[0]);
      }
    }
  });

  it("sweeps expired rows that nobody reads again", async () => {
    const url = `sqlite://${join(directory, "sweep.sqlite")}`;
    const store = await track(createStore(url, { historyTtlMs: 50, maxTurns: 5 }, { sweepEveryMs: 50 }));
    await store.appendTurns("console:abandoned", [hello]);
    await store.markSeen("Ev-old", 50);
    await store.markSeen("Ev-new", 60_000);
    await store.setBinding("server", "tutor");
    const raw = new KeyvSqlite({ uri: url });
    const keys = async (): Promise<string[]> => {
      const rows: Array<{ key: string }> = await raw.query("SELECT key FROM keyv ORDER BY key");
      return rows.map((row) => row.key);
    };
    const expected = ["troupe:binding:server", "troupe:seen:Ev-new"];
    // The history tables are swept too: no turn and no conversation row outlives its TTL.
    const historyRows = async (): Promise<number> => {
      const rows: Array<{ n: number }> = await raw.query(
        "SELECT (SELECT count(*) FROM troupe_turns) + (SELECT count(*) FROM troupe_conversations) AS n",
      );
      return rows[0]?.n ?? -1;
    };
    expect(await historyRows()).toBeGreaterThan(0);
    try {
      await waitUntil(async () => JSON.stringify(await keys()) === JSON.stringify(expected));
      expect(await keys()).toEqual(expected);
      await waitUntil(async () => (await historyRows()) === 0);
      expect(await historyRows()).toBe(0);
    } finally {
      await raw.disconnect();
    }
  });

  it("reads a corrupt or old-format value as empty, logs it, and writes over it", async () => {
    const path = join(directory, "corrupt.sqlite");
    const url = `sqlite://${path}`;
    await (await createStore(url, LIMITS)).close(); // creates the table
    // Write behind the store's back, straight into the table keyv uses.
    const raw = new KeyvSqlite({ uri: url });
    await raw.set("troupe:history:console:broken", "{not json");
    await raw.set("troupe:history:console:old", JSON.stringify({ value: [{ role: "system", text: "v0" }] }));
    await raw.set("troupe:binding:console:old", JSON.stringify({ value: 42 }));
    await raw.disconnect();

    const logger = createRecordingLogger();
    const store = await track(createStore(url, LIMITS, { logger }));
    expect(await store.getHistory("console:broken")).toEqual([]);
    expect(await store.getHistory("console:old")).toEqual([]);
    expect(await store.getBinding("console:old")).toBeUndefined();
    expect(logger.lines.filter((line) => line.level === "warn")).toHaveLength(3);
    await store.appendTurns("console:broken", [hello]);
    expect(await store.getHistory("console:broken")).toEqual([hello]);
  });
});

describe("createStore with an unsupported URL", () => {
  it("names STORE_URL and every supported scheme, without the password", async () => {
    const error = await storeErrorOf(createStore("postgres://troupe:hunter2@127.0.0.1/troupe", LIMITS));
    expect(error.message).toContain("STORE_URL=postgres://troupe:***@127.0.0.1/troupe");
    expect(error.message).toContain('unsupported scheme "postgres:"');
    for (const scheme of ["sqlite://", "memory://", "redis://", "rediss://"]) {
      expect(error.message).toContain(scheme);
    }
    expect(error.message).not.toContain("hunter2");
  });

  it("explains a URL with no scheme", async () => {
    const error = await storeErrorOf(createStore("./data/troupe.sqlite", LIMITS));
    expect(error.message).toContain("no scheme");
    expect(error.message).toContain("sqlite://");
  });
});

describe("createStore with redis://", () => {
  it("fails fast, naming STORE_URL and a fix, when nothing listens", { timeout: 10_000 }, async () => {
    const port = await freePort();
    const error = await storeErrorOf(createStore(`redis://troupe:s3cret@127.0.0.1:${port}/2`, LIMITS));
    expect(error.message).toContain(`STORE_URL=redis://troupe:***@127.0.0.1:${port}/2`);
    expect(error.message).toContain("connection refused");
    expect(error.message).toContain("start redis-server");
    expect(error.message).toContain("memory://");
    expect(error.message).not.toContain("s3cret");
  });

  it("treats rediss:// as Redis too", { timeout: 10_000 }, async () => {
    const port = await freePort();
    const error = await storeErrorOf(createStore(`rediss://127.0.0.1:${port}`, LIMITS));
    expect(error.message).toContain("cannot connect to Redis");
  });

  describe("with a server", () => {
    const servers: RedisServer[] = [];
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close().catch(() => undefined)));
      await Promise.all(servers.splice(0).map((server) => server.stop()));
    });
    const start = async (port?: number) => {
      const server = await startRedisServer({ port });
      servers.push(server);
      return server;
    };

    it("fails fast while Redis is down and recovers when it is back on its port", async () => {
      const server = await start();
      const logger = createRecordingLogger();
      const store = await track(createStore(server.url, LIMITS, { logger }));
      await store.appendTurns("console:crash", [hello]);

      await server.crash();
      const error = await storeErrorOf(store.getHistory("console:crash"));
      expect(error.message).toContain("reading the history of console:crash");
      // Fails because the connection is down, not because an offline queue waited out the deadline.
      expect(error.message).not.toContain("timed out");
      await storeErrorOf(store.markSeen("event-during-outage", 60_000));
      expect(
        logger.lines.some(
          (line) => line.level === "warn" && line.message.includes("lost the Redis connection"),
        ),
      ).toBe(true);

      await start(server.port);
      expect(await waitUntil(succeeds(() => store.setBinding("console:crash", "tutor")))).toBe(true);
      expect(await store.getBinding("console:crash")).toBe("tutor");
      expect(await store.getHistory("console:crash")).toEqual([]); // the new server has no persistence
    });

    it("rejects with a StoreError when Redis hangs, and works once it answers again", async () => {
      const server = await start();
      const store = await track(createStore(server.url, LIMITS, { timeoutMs: 1_000 }));
      server.process.kill("SIGSTOP");
      try {
        const error = await storeErrorOf(store.getHistory("console:hang"));
        expect(error.message).toContain("timed out");
      } finally {
        server.process.kill("SIGCONT");
      }
      expect(await waitUntil(succeeds(() => store.getHistory("console:hang")))).toBe(true);
    });

    it("marks an event seen in exactly one of two instances", async () => {
      const server = await start();
      const one = await track(createStore(server.url, LIMITS));
      const two = await track(createStore(server.url, LIMITS));
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? one : two).markSeen("slack:Ev1", 60_000)),
      );
      expect(answers.filter(Boolean)).toHaveLength(1);
    });

    it("reads a corrupt value as empty history", async () => {
      const server = await start();
      const raw = createClient({ url: server.url });
      raw.on("error", () => undefined);
      await raw.connect();
      await raw.set("troupe::history:console:broken", "{not json");
      await raw.set("troupe::binding:console:broken", JSON.stringify({ value: 42 }));
      raw.destroy();

      const logger = createRecordingLogger();
      const store = await track(createStore(server.url, LIMITS, { logger }));
      expect(await store.getHistory("console:broken")).toEqual([]);
      expect(await store.getBinding("console:broken")).toBeUndefined();
      expect(logger.lines.filter((line) => line.level === "warn")).toHaveLength(2);
    });
  });
});
