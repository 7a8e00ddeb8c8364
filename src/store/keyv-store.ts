import type { Keyv } from "keyv";
import type { z } from "zod";
import { createKeyedQueue } from "../lib/keyed-queue.js";
import type { Logger } from "../lib/logger.js";
import { bounded } from "./bounded.js";
import { type ConversationStore, StoreError, type StoreLimits, type Turn } from "./conversation-store.js";
import { bindingSchema, historySchema, tolerant, UnreadableValue } from "./stored-values.js";

/** Every key lives under this namespace: `troupe:history:<conversationId>` and so on. */
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
}

const DEFAULT_SWEEP_EVERY_MS = 10 * 60_000;

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

  const queue = createKeyedQueue();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  const { sweepExpired } = options;
  let sweeping = false;
  const sweeper =
    sweepExpired &&
    setInterval(() => {
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

  async function read<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const value: unknown = await keyv.get(key);
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
    if (!(await keyv.set(key, value, ttlMs))) throw new Error(`the backend did not store ${key}`);
  }

  async function markSeenBestEffort(key: string, ttlMs: number, signal: AbortSignal): Promise<boolean> {
    // Memory and SQLite have no atomic set-if-absent through keyv: get-then-set under the
    // in-process lock is exact within one process, and only best effort across processes.
    if ((await keyv.get(key)) !== undefined) return false;
    signal.throwIfAborted();
    await write(key, true, ttlMs);
    return true;
  }

  return {
    getHistory: (conversationId) =>
      run(`reading the history of ${conversationId}`, async () => {
        return (await read(historyKey(conversationId), historySchema)) ?? [];
      }),

    appendTurns: (conversationId, turns) => {
      const key = historyKey(conversationId);
      // Across processes (several instances on one Redis) two appends to one conversation can
      // still race; core orders each conversation, and a platform event reaches one instance.
      return run(`saving the history of ${conversationId}`, (signal) =>
        queue.run(key, async () => {
          signal.throwIfAborted();
          const existing = (await read(key, historySchema)) ?? [];
          if (existing.length === 0 && turns.length === 0) return;
          const kept: Turn[] = [...existing, ...turns].slice(-limits.maxTurns);
          signal.throwIfAborted(); // the caller was already told it failed: do not write behind its back
          await write(key, kept, limits.historyTtlMs);
        }),
      );
    },

    clearHistory: (conversationId) =>
      run(`clearing the history of ${conversationId}`, async () => {
        await keyv.delete(historyKey(conversationId));
      }),

    getBinding: (key) => run(`reading the binding ${key}`, () => read(bindingKey(key), bindingSchema)),

    setBinding: (key, persona) =>
      run(`saving the binding ${key}`, async () => {
        if (persona === undefined) await keyv.delete(bindingKey(key));
        // No TTL: a binding is a choice someone made and lasts until they change it.
        else await write(bindingKey(key), persona);
      }),

    markSeen: (id, ttlMs) => {
      const key = seenKey(id);
      return run(`recording the event ${id}`, async (signal) => {
        if (!(Number.isFinite(ttlMs) && ttlMs > 0))
          throw new StoreError(`markSeen: ttlMs must be > 0, got ${ttlMs}`);
        const ttl = Math.ceil(ttlMs);
        if (setIfAbsent === undefined) {
          return queue.run(key, async () => {
            signal.throwIfAborted();
            return markSeenBestEffort(key, ttl, signal);
          });
        }
        // Stored in keyv's own format, so a plain keyv.get of the key still reads it.
        const record = await keyv.serializeData({ value: true, expires: Date.now() + ttl });
        return setIfAbsent(key, typeof record === "string" ? record : JSON.stringify(record), ttl);
      });
    },

    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
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

function historyKey(conversationId: string): string {
  return `history:${conversationId}`;
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
