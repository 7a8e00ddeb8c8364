/**
 * Opening memory://: keyv over a plain Map, and the store's reads, writes and markSeen's "set if
 * absent" straight on that Map. Through keyv each was a chain of awaits, hook and stats calls and
 * objects (keyv.set ~4.7 µs, a getMany of three keys ~3.2 µs) around a Map call; markSeen took
 * keyv's get, then its set, under a per-key in-process queue with an AbortController for the
 * deadline: two claims per Slack event cost ~70 µs of CPU. Here each is a few synchronous lines, and
 * a claim's check-and-set is atomic by itself (nothing else runs in between), so it needs neither
 * the queue nor the signal.
 *
 * Every entry is keyv's own (`{"value":…,"expires":…}` as JSON under `troupe:<key>`), read and
 * written with keyv's rules (expired: now past `expires`, deleted when read; JSON that does not
 * parse reads as an UnreadableValue), so keyv itself (its iterator: listRecords, the sweep) reads
 * the same entries. A value is stored as JSON text: a reader gets a copy, never a shared object.
 */
import { Keyv } from "keyv";
import type { KeyAccess } from "./key-access.js";
import { type SetIfAbsent, STORE_NAMESPACE, sweepByIterating } from "./keyv-store.js";
import { UnreadableValue, unreadableJson } from "./stored-values.js";

export interface MemoryBackend {
  keyv: Keyv;
  /** The store's reads and writes of keys, on the Map. */
  keys: KeyAccess;
  /** Records a key unless a live one is there; atomic (one synchronous step on the Map). */
  setIfAbsent: SetIfAbsent;
  /** Deletes the expired entries keyv would otherwise drop only when they are read again. */
  sweepExpired(): Promise<void>;
}

/** An entry as keyv stores it, once parsed. */
interface Entry {
  value?: unknown;
  expires?: unknown;
}

export function openMemory(now: () => number = Date.now): MemoryBackend {
  const map = new Map<string, unknown>();
  // Plain JSON instead of keyv's default serializer (a JSON.stringify with a replacer called for
  // every value, for Buffers troupe never stores): a message writes several values, and this Map
  // is never read by another version, so its format is free.
  const keyv = new Keyv({ store: map, serialize: JSON.stringify, deserialize: JSON.parse });
  const stored = (key: string) => `${STORE_NAMESPACE}:${key}`;

  /** The entry under `key`, undefined when absent or expired (then deleted, as keyv does). */
  function read(key: string): unknown {
    const full = stored(key);
    const raw = map.get(full);
    if (raw === undefined) return undefined;
    const entry = parse(raw);
    if (entry instanceof UnreadableValue) return entry;
    if (entry === null || entry === undefined) return undefined;
    if (isExpired(entry, now())) {
      map.delete(full);
      return undefined;
    }
    return entry.value;
  }

  const keys: KeyAccess = {
    get: async (key) => read(key),
    getMany: async (wanted) => wanted.map(read),
    set: async (key, value, ttlMs) => {
      // keyv's own refusal, for the same reason: JSON drops a symbol.
      if (typeof value === "symbol") throw new Error("symbol cannot be serialized");
      const expires = ttlMs === undefined || ttlMs === 0 ? undefined : now() + ttlMs;
      map.set(stored(key), JSON.stringify({ value, expires }));
      return true;
    },
    delete: async (key) => map.delete(stored(key)),
  };

  const setIfAbsent: SetIfAbsent = async (key, value) => {
    const full = stored(key);
    if (isLive(map.get(full), now())) return false;
    map.set(full, value);
    return true;
  };

  return { keyv, keys, setIfAbsent, sweepExpired: () => sweepByIterating(keyv) };
}

function parse(raw: unknown): Entry | UnreadableValue | null | undefined {
  // Only this module and keyv write the Map, both as JSON text; anything else is not keyv's.
  if (typeof raw !== "string") return raw as Entry;
  try {
    return JSON.parse(raw) as Entry | null;
  } catch (error) {
    return unreadableJson(error);
  }
}

/** keyv's own test: a value is expired once now is past `expires`. */
function isExpired(entry: Entry, now: number): boolean {
  return typeof entry.expires === "number" && now > entry.expires;
}

/**
 * Whether a claim finds `raw` there: anything but an absent or expired entry. A value that does not
 * parse is kept, as SQLite's claim keeps it: the event reads as already seen, not handled twice.
 */
function isLive(raw: unknown, now: number): boolean {
  if (raw === undefined) return false;
  const entry = parse(raw);
  if (entry instanceof UnreadableValue) return true;
  return !(entry !== null && entry !== undefined && isExpired(entry, now));
}
