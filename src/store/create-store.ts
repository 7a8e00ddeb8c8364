import { randomUUID } from "node:crypto";
import type { Keyv } from "keyv";
import type { Logger } from "../lib/logger.js";
import { maskUrl } from "../lib/mask-url.js";
import { bounded } from "./bounded.js";
import { type ConversationStore, StoreError, type StoreLimits } from "./conversation-store.js";
import { createKeyvStore, DEFAULT_TIMEOUT_MS, type KeyvStoreOptions } from "./keyv-store.js";
import { openMemory } from "./memory-backend.js";
import { createRedisHistory } from "./redis-history.js";
import { createRedisOrder, type OrderTimings } from "./redis-order.js";
import type { SqliteBackend } from "./sqlite-backend.js";
import { describeFailure } from "./store-error-text.js";

const SUPPORTED_STORE_URLS =
  "sqlite://<path> (e.g. sqlite://./data/troupe.sqlite or sqlite:///var/lib/troupe.sqlite), memory://, " +
  "redis://[user:password@]host:port[/db], rediss://[user:password@]host:port[/db]";

const WITHOUT_PERSISTENCE = "or set STORE_URL=memory:// to run without persistence";

export interface CreateStoreOptions {
  logger?: Logger;
  /** The deadline for start-up and for each operation afterwards. */
  timeoutMs?: number;
  /** How often SQLite and memory delete expired entries (Redis expires them itself). */
  sweepEveryMs?: number;
  /** Redis: the per-key order lock's lease, refresh and longest wait (tests shorten them). */
  orderTimings?: Partial<OrderTimings>;
}

/**
 * The only switch on STORE_URL. Opens the backend, proves it works with a probe write, read and
 * delete, and otherwise throws a StoreError that names STORE_URL, the problem and a fix.
 */
export async function createStore(
  url: string,
  limits: StoreLimits,
  options: CreateStoreOptions = {},
): Promise<ConversationStore> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const display = maskUrl(url);
  const fail = (problem: string, fix: string, cause?: unknown): never => {
    throw new StoreError(`STORE_URL=${display}: ${problem}. Fix: ${fix}.`, { cause });
  };
  const base: KeyvStoreOptions = {
    name: display,
    timeoutMs,
    logger: options.logger,
    sweepEveryMs: options.sweepEveryMs,
  };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();

  if (scheme === "memory") {
    const { keyv, keys, setIfAbsent, sweepExpired } = openMemory();
    return createKeyvStore(keyv, limits, {
      ...base,
      keys,
      setIfAbsent,
      sweepExpired,
      // A new Map: nothing from an older troupe can be in it.
      holdsLegacyHistory: async () => false,
    });
  }

  if (scheme === "sqlite") {
    // Each backend's driver is loaded only when STORE_URL names it: it costs start-up time and memory.
    const { openSqlite, SqliteOpenError, sqlitePath } = await import("./sqlite-backend.js");
    const rawPath = url.slice("sqlite://".length);
    if (!url.startsWith("sqlite://") || rawPath === "" || rawPath === ":memory:") {
      return fail(
        "expected sqlite://<path to a file>",
        "write e.g. sqlite://./data/troupe.sqlite, or use memory://",
      );
    }
    const path = sqlitePath(rawPath);
    const fix = `check that ${path} is a file in a writable directory, ${WITHOUT_PERSISTENCE}`;
    let backend: SqliteBackend;
    try {
      backend = await openSqlite(path, timeoutMs, limits);
    } catch (error) {
      const problem = error instanceof SqliteOpenError ? error.message : describeFailure(error);
      return fail(problem, fix, error);
    }
    const store = createKeyvStore(backend.keyv, limits, {
      ...base,
      history: backend.history,
      sweepExpired: backend.sweepExpired,
      setIfAbsent: backend.setIfAbsent,
      holdsLegacyHistory: backend.holdsLegacyHistory,
    });
    await proveOrClose(store, backend.keyv, timeoutMs, (cause) =>
      fail(`cannot use the SQLite database ${path}: ${describeFailure(rootCause(cause))}`, fix, cause),
    );
    return store;
  }

  if (scheme === "redis" || scheme === "rediss") {
    const fix = `start redis-server (or correct the host, port and password in STORE_URL), ${WITHOUT_PERSISTENCE}`;
    const form = "write it as redis://[user:password@]host:port[/db]";
    let pathname: string;
    try {
      pathname = new URL(url).pathname;
    } catch (error) {
      return fail("not a valid URL", form, error);
    }
    if (!/^\/?\d*$/.test(pathname)) return fail(`"${pathname}" is not a database number`, form);
    const { openRedis } = await import("./redis-backend.js");
    let backend: Awaited<ReturnType<typeof openRedis>>;
    try {
      backend = await openRedis(url, { display, timeoutMs, logger: options.logger });
    } catch (error) {
      return fail(`cannot connect to Redis: ${describeFailure(rootCause(error))}`, fix, error);
    }
    const store = createKeyvStore(backend.keyv, limits, {
      ...base,
      setIfAbsent: backend.setIfAbsent,
      disconnect: backend.disconnect,
      history: createRedisHistory(backend.evalScript, limits),
      order: createRedisOrder(backend.evalScript, {
        name: display,
        logger: options.logger,
        timings: { callTimeoutMs: timeoutMs, ...options.orderTimings },
      }),
    });
    await proveOrClose(store, backend.keyv, timeoutMs, (cause) =>
      fail(`Redis does not accept reads and writes: ${describeFailure(rootCause(cause))}`, fix, cause),
    );
    return store;
  }

  return fail(
    scheme === undefined ? "no scheme" : `unsupported scheme "${scheme}:"`,
    `use one of ${SUPPORTED_STORE_URLS}`,
  );
}

/**
 * A write, a read and a delete of a probe key, and a history read (which creates SQLite's history
 * tables): the cheapest proof that the backend works.
 */
async function proveOrClose(
  store: ConversationStore,
  keyv: Keyv,
  timeoutMs: number,
  onFailure: (cause: unknown) => never,
): Promise<void> {
  const key = `probe:${randomUUID()}`;
  try {
    await bounded("probing the store", timeoutMs, async () => {
      await keyv.set(key, "ok", 60_000);
      const value: unknown = await keyv.get(key);
      if (value !== "ok") throw new Error(`a probe value read back as ${JSON.stringify(value)}`);
      await keyv.delete(key);
    });
    await store.getHistory(key);
  } catch (error) {
    await store.close().catch(() => undefined);
    onFailure(error);
  }
}

/** bounded() wraps the backend's error; the start-up message wants the original (its code). */
function rootCause(error: unknown): unknown {
  return error instanceof StoreError && error.cause !== undefined ? error.cause : error;
}
