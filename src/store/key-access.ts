/**
 * The store's reads and writes of keys (bindings, records, event ids), by the key as the store
 * names it. keyv does them for every backend; memory:// does them straight on its Map
 * (memory-backend.ts), in keyv's stored format.
 */
import type { Keyv } from "keyv";

/**
 * keyv's reads and writes, by the key as the store names it (without the namespace): a value, an
 * UnreadableValue, or undefined when absent or expired; a TTL in whole milliseconds.
 */
export interface KeyAccess {
  get(key: string): Promise<unknown>;
  getMany(keys: string[]): Promise<readonly unknown[]>;
  set(key: string, value: unknown, ttlMs?: number): Promise<boolean>;
  delete(key: string): Promise<boolean>;
}

/** keyv's own get, getMany, set and delete: every backend but memory. */
export function keyvAccess(keyv: Keyv): KeyAccess {
  return {
    get: (key) => keyv.get(key),
    getMany: (keys) => keyv.getMany(keys),
    set: (key, value, ttlMs) => keyv.set(key, value, ttlMs),
    delete: (key) => keyv.delete(key),
  };
}
