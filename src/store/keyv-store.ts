/**
 * The one ConversationStore implementation. Bindings and seen event ids live in keyv (any backend);
 * history lives in the backend's own history log (history-log.ts), because an append must be
 * atomic and must not read the whole history back, which a keyv value cannot do. This file adds
 * what every backend shares: deadlines, checking each stored turn, migrating a history the previous
 * version kept in keyv, the expiry sweep, and per-key order (in-process unless the backend brings
 * its own, as Redis does).
 */
import type { Keyv } from "keyv";
import type { z } from "zod";
import { isArrivalOrder, nextArrivalOrder } from "../lib/arrival-order.js";
import { createKeyedQueue } from "../lib/keyed-queue.js";
import type { Logger } from "../lib/logger.js";
import { createTtlCache } from "../lib/ttl-cache.js";
import { bounded } from "./bounded.js";
import {
  type ConversationStore,
  type InOrderOptions,
  StoreError,
  type StoreLimits,
  type Turn,
} from "./conversation-store.js";
import { type HistoryLog, LEGACY_ORDER } from "./history-log.js";
import { type KeyAccess, keyvAccess } from "./key-access.js";
import { createMemoryHistory } from "./memory-history.js";
import { bindingSchema, historySchema, tolerant, turnSchema, UnreadableValue } from "./stored-values.js";

/** Every keyv key lives under this namespace: `troupe:binding:<key>` and so on. */
export const STORE_NAMESPACE = "troupe";

/** Long enough for a loaded SQLite file or a remote Redis, short enough that a chat reply does not stall. */
export const DEFAULT_TIMEOUT_MS = 2_000;

/** An atomic "set if absent, with expiry" the backend offers natively (Redis: SET NX PX). */
export type SetIfAbsent = (key: string, value: string, ttlMs: number) => Promise<boolean>;

export interface KeyvStoreOptions {
  /** Names the backend in error messages, e.g. the STORE_URL without its password. */
  name?: string;
  logger?: Logger;
  /** The deadline for each operation. */
  timeoutMs?: number;
  /** Makes markSeen atomic across processes; without it markSeen is atomic only within this process. */
  setIfAbsent?: SetIfAbsent;
  /** Replaces `keyv.disconnect()` on close, for a backend that needs more care (Redis). */
  disconnect?: () => Promise<void>;
  /**
   * Deletes expired entries, for a backend without native expiry: keyv drops an expired value
   * only when it is read again. Run every `sweepEveryMs` while the store is open.
   */
  sweepExpired?: () => Promise<void>;
  sweepEveryMs?: number;
  /**
   * Reads and writes of keys, for a backend that does them more cheaply than through keyv (memory:
   * straight on its Map). Must keep keyv's stored format, so keyv (its iterator, the sweep) reads
   * the same entries. Default: keyv's get, getMany, set and delete.
   */
  keys?: KeyAccess;
  /** Where history lives (the backend's own atomic log). Default: in memory. */
  history?: HistoryLog;
  /**
   * Whether the backend may hold any history key of the previous troupe at all; asked once, at the
   * first history read. When it says no, no conversation's read looks for one (a new conversation
   * then costs one read less). Default: it may, and each conversation is looked at once.
   */
  holdsLegacyHistory?: () => Promise<boolean>;
  /** Per-key order across processes (Redis). Default: within this process. */
  order?: {
    inOrder<T>(key: string, work: () => Promise<T>, options?: InOrderOptions): Promise<T>;
    close(): void;
  };
}

/** Conversations whose pre-upgrade history key was already looked at, so each read costs one GET once. */
const MIGRATION_MEMORY = 10_000;

const DEFAULT_SWEEP_EVERY_MS = 10 * 60_000;

/** A record's TTL as keyv takes it: whole milliseconds, at least one; unset, kept until deleted. */
function recordTtl(ttlMs: number | undefined): number | undefined {
  return ttlMs === undefined ? undefined : Math.max(1, Math.ceil(ttlMs));
}

/**
 * The one ConversationStore implementation, for every keyv backend. It takes ownership of `keyv`:
 * it sets the namespace, makes keyv throw backend errors instead of swallowing them, and closes it.
 */
export function createKeyvStore(
  keyv: Keyv,
  limits: StoreLimits,
  options: KeyvStoreOptions = {},
): ConversationStore {
  checkLimits(limits);
  const { logger, setIfAbsent } = options;
  const name = options.name ?? "store";
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  prepare(keyv, logger);

  const access: KeyAccess = options.keys ?? keyvAccess(keyv);
  const queue = createKeyedQueue();
  const history = options.history ?? createMemoryHistory(limits);
  const order = options.order ?? { inOrder: (key, work) => queue.run(`order:${key}`, work), close() {} };
  const migrated = createTtlCache<true>({ maxEntries: MIGRATION_MEMORY });
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  const sweeps = [options.sweepExpired, history.sweep?.bind(history)].filter((sweep) => sweep !== undefined);
  const sweepExpired = async () => {
    for (const sweep of sweeps) await sweep();
  };
  let sweeping = false;
  const sweeper =
    sweeps.length === 0
      ? undefined
      : setInterval(() => {
          if (sweeping || closed) return;
          sweeping = true;
          run("removing expired entries", sweepExpired)
            .catch((error: unknown) => logger?.warn({ store: name, err: error }, "sweep failed"))
            .finally(() => {
              sweeping = false;
            });
        }, options.sweepEveryMs ?? DEFAULT_SWEEP_EVERY_MS);
  // The sweep must never be what keeps the process alive.
  sweeper?.unref();

  function run<T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new StoreError(`${name}: ${what} failed: the store is closed`));
    const operation = bounded(`${name}: ${what}`, timeoutMs, work);
    inFlight.add(operation);
    const forget = () => inFlight.delete(operation);
    operation.then(forget, forget);
    return operation;
  }

  /**
   * A history write's work, given the deadline's signal only when the log reads it: bounded() makes
   * an AbortController only for a work that declares the parameter.
   */
  function withSignal<T>(work: (signal?: AbortSignal) => Promise<T>): (signal: AbortSignal) => Promise<T> {
    return history.readsSignal === true ? (signal) => work(signal) : () => work();
  }

  async function read<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    return check(key, await access.get(key), schema);
  }

  /** A value read from keyv, checked against `schema`; anything else is logged and reads as absent. */
  function check<T>(key: string, value: unknown, schema: z.ZodType<T>): T | undefined {
    if (value === undefined) return undefined;
    if (value instanceof UnreadableValue) {
      logger?.warn({ store: name, key, problem: value.reason }, "ignoring an unreadable stored value");
      return undefined;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const problem = parsed.error.issues
      .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
      .join("; ");
    logger?.warn({ store: name, key, problem }, "ignoring a stored value of an unexpected shape");
    return undefined;
  }

  async function write(key: string, value: unknown, ttlMs?: number): Promise<void> {
    // With throwOnErrors keyv throws on failure, but an adapter may still report one as `false`.
    if (!(await access.set(key, value, ttlMs))) throw new Error(`the backend did not store ${key}`);
  }

  /**
   * A history written by the previous troupe (one keyv value, `history:<id>`) becomes the oldest
   * block of the log, then its key goes: an upgrade keeps every conversation's memory. Appended
   * before the delete, so a failure in between loses nothing (the log adds that block only once).
   */
  let legacyHeld: Promise<boolean> | undefined;
  function mayHoldLegacy(): Promise<boolean> {
    const ask = options.holdsLegacyHistory;
    if (ask === undefined) return Promise.resolve(true);
    legacyHeld ??= ask().catch((error: unknown) => {
      legacyHeld = undefined; // asked again next time; meanwhile every conversation is looked at
      logger?.debug({ store: name, error: String(error) }, "could not tell whether old history is stored");
      return true;
    });
    return legacyHeld;
  }

  async function migrateLegacy(conversationId: string): Promise<void> {
    if (migrated.has(conversationId) || !(await mayHoldLegacy())) return;
    const key = historyKey(conversationId);
    const legacy = await read(key, historySchema);
    if (legacy !== undefined) {
      if (legacy.length > 0) {
        await history.append(conversationId, legacy.slice(-limits.maxTurns).map(toJson), LEGACY_ORDER);
        logger?.info({ store: name, conversation: conversationId, turns: legacy.length }, "history migrated");
      }
      await access.delete(key);
    }
    migrated.set(conversationId, true);
  }

  /** The log's turns, each checked: one that is not a turn is skipped, with one warn line per read. */
  function readTurns(conversationId: string, stored: readonly string[]): Turn[] {
    const turns: Turn[] = [];
    const problems: string[] = [];
    for (const json of stored) {
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch (error) {
        problems.push(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const parsed = turnSchema.safeParse(value);
      if (parsed.success) turns.push(parsed.data);
      else
        problems.push(
          parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "),
        );
    }
    if (problems.length > 0) {
      logger?.warn(
        { store: name, conversation: conversationId, skipped: problems.length, problem: problems[0] },
        "skipping unreadable stored turns",
      );
    }
    return turns;
  }

  async function markSeenBestEffort(key: string, ttlMs: number, signal: AbortSignal): Promise<boolean> {
    // Memory and SQLite have no atomic set-if-absent through keyv: get-then-set under the
    // in-process lock is exact within one process, and only best effort across processes.
    if ((await access.get(key)) !== undefined) return false;
    signal.throwIfAborted();
    await write(key, true, ttlMs);
    return true;
  }

  return {
    getHistory: (conversationId, historyOptions = {}) =>
      run(`reading the history of ${conversationId}`, async () => {
        await migrateLegacy(conversationId);
        return readTurns(conversationId, await history.read(conversationId, historyOptions.before));
      }),

    appendTurns: (conversationId, turns, appendOptions = {}) => {
      const at = appendOptions.order ?? nextArrivalOrder();
      return run(
        `saving the history of ${conversationId}`,
        withSignal(async (signal) => {
          if (!isArrivalOrder(at)) throw new StoreError(`appendTurns: order must be > 0, got ${at}`);
          if (turns.length === 0) return;
          // One atomic append at its order: nothing is read back, so concurrent appends (any
          // process) are all kept, and the cost does not grow with the history.
          await history.append(conversationId, turns.map(toJson), at, signal);
        }),
      );
    },

    clearHistory: (conversationId, clearOptions = {}) => {
      const at = clearOptions.order ?? nextArrivalOrder();
      return run(
        `clearing the history of ${conversationId}`,
        withSignal(async (signal) => {
          if (!isArrivalOrder(at)) throw new StoreError(`clearHistory: order must be > 0, got ${at}`);
          // The watermark makes a reset win over answers still in flight: their questions arrived
          // before it, so their exchanges are not appended afterwards.
          await history.clear(conversationId, at, signal);
          await access.delete(historyKey(conversationId));
        }),
      );
    },

    inOrder: (key, work, inOrderOptions) => (closed ? work() : order.inOrder(key, work, inOrderOptions)),

    getBinding: (key) => run(`reading the binding ${key}`, () => read(bindingKey(key), bindingSchema)),

    getBindings: (keys) =>
      run(`reading the bindings ${keys.join(", ")}`, async () => {
        if (keys.length === 0) return [];
        // One round trip for every scope of a message (SQLite: one statement; Redis: one MGET).
        const stored = await access.getMany(keys.map(bindingKey));
        return keys.map((key, index) => check(bindingKey(key), stored[index], bindingSchema));
      }),

    setBinding: (key, persona) =>
      run(`saving the binding ${key}`, async () => {
        if (persona === undefined) await access.delete(bindingKey(key));
        // No TTL: a binding is a choice someone made and lasts until they change it.
        else await write(bindingKey(key), persona);
      }),

    putRecord: (key, value, ttlMs) =>
      run(`saving the record ${key}`, () => write(recordKey(key), value, recordTtl(ttlMs))),

    putRecords: (records, ttlMs) =>
      run(`saving the record ${records[0]?.key} and ${records.length - 1} more`, async () => {
        const ttl = recordTtl(ttlMs);
        await Promise.all(records.map(({ key, value }) => write(recordKey(key), value, ttl)));
      }),

    getRecord: (key) =>
      run(`reading the record ${key}`, async () => {
        const value: unknown = await access.get(recordKey(key));
        return value instanceof UnreadableValue ? undefined : value;
      }),

    deleteRecord: (key) =>
      run(`deleting the record ${key}`, async () => {
        await access.delete(recordKey(key));
      }),

    // Not bounded by the per-operation deadline: a scan of every record takes as long as it takes.
    listRecords: async (prefix) => {
      if (closed) throw new StoreError(`${name}: listing records failed: the store is closed`);
      if (keyv.iterator === undefined) throw new StoreError(`${name}: this backend cannot list records`);
      const wanted = recordKey(prefix);
      const found: { key: string; value: unknown }[] = [];
      for await (const [key, value] of keyv.iterator(keyv.namespace)) {
        if (typeof key !== "string" || !key.startsWith(wanted) || value instanceof UnreadableValue) continue;
        if (value !== undefined) found.push({ key: key.slice(RECORD_PREFIX.length), value });
      }
      return found;
    },

    forgetAuthor: async (conversationPrefix, authorId) => {
      if (closed) throw new StoreError(`${name}: forgetting turns failed: the store is closed`);
      return history.forgetAuthor(conversationPrefix, authorId);
    },

    markSeen: (id, ttlMs) => {
      const key = seenKey(id);
      const what = `recording the event ${id}`;
      const ttl = Math.ceil(ttlMs);
      const checkTtl = () => {
        if (!(Number.isFinite(ttlMs) && ttlMs > 0))
          throw new StoreError(`markSeen: ttlMs must be > 0, got ${ttlMs}`);
      };
      if (setIfAbsent === undefined) {
        return run(what, async (signal) => {
          checkTtl();
          return queue.run(key, async () => {
            signal.throwIfAborted();
            return markSeenBestEffort(key, ttl, signal);
          });
        });
      }
      // One atomic write reads no signal: bounded() then makes no AbortController (twice per Slack
      // event: its event_id and its message are each claimed).
      return run(what, async () => {
        checkTtl();
        // Stored in keyv's own format, so a plain keyv.get of the key still reads it.
        const record = await keyv.serializeData({ value: true, expires: Date.now() + ttl });
        return setIfAbsent(key, typeof record === "string" ? record : JSON.stringify(record), ttl);
      });
    },

    close: async () => {
      if (closed) return;
      closed = true;
      if (sweeper) clearInterval(sweeper);
      order.close();
      // Let started operations finish (each is bounded) before the connection goes away.
      await Promise.allSettled([...inFlight]);
      await bounded(`${name}: closing`, timeoutMs, () => (options.disconnect ?? (() => keyv.disconnect()))());
    },
  };
}

/** A sweep for a small store (memory): keyv's iterator deletes each expired entry it walks past. */
export async function sweepByIterating(keyv: Keyv): Promise<void> {
  if (keyv.iterator === undefined) return;
  for await (const entry of keyv.iterator(undefined)) void entry;
}

function toJson(turn: Turn): string {
  return JSON.stringify(turn);
}

/** Where the previous troupe kept a whole history as one value; only read now, to migrate it. */
function historyKey(conversationId: string): string {
  return `history:${conversationId}`;
}

const RECORD_PREFIX = "record:";

function recordKey(key: string): string {
  return `${RECORD_PREFIX}${key}`;
}

function bindingKey(key: string): string {
  return `binding:${key}`;
}

function seenKey(id: string): string {
  return `seen:${id}`;
}

function checkLimits({ historyTtlMs, maxTurns }: StoreLimits): void {
  if (!(Number.isFinite(historyTtlMs) && historyTtlMs > 0)) {
    throw new StoreError(`historyTtlMs must be a positive number of milliseconds, got ${historyTtlMs}`);
  }
  if (!(Number.isInteger(maxTurns) && maxTurns > 0)) {
    throw new StoreError(`maxTurns must be a positive whole number, got ${maxTurns}`);
  }
}

function prepare(keyv: Keyv, logger: Logger | undefined): void {
  keyv.namespace = STORE_NAMESPACE;
  // keyv's default is to swallow backend errors (a failed get reads as a miss, a failed set
  // returns false): the store must report them instead.
  keyv.throwOnErrors = true;
  // keyv re-emits every backend failure as an 'error' event; the same failure also rejects the
  // operation (and becomes a StoreError there), so the event is only worth a debug line.
  keyv.on("error", (error: unknown) => logger?.debug({ error: String(error) }, "keyv reported an error"));
  const { deserialize } = keyv;
  if (deserialize !== undefined) keyv.deserialize = tolerant(deserialize);
}
