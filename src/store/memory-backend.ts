/**
 * Opening memory://: keyv over a plain Map, and markSeen's "set if absent" straight on that Map.
 * Without it markSeen took keyv's get, then its set, under a per-key in-process queue with an
 * AbortController for the deadline: two claims per Slack event cost ~70 µs of CPU for two Map
 * inserts. One synchronous check-and-set on the Map is atomic by itself (nothing else runs in
 * between), so it needs neither the queue nor the signal. The value it stores is keyv's own
 * (`{"value":…,"expires":…}` under `troupe:<key>`), so keyv.get, the iterator and the sweep read it
 * as any other entry.
 */
import { Keyv } from "keyv";
import { type SetIfAbsent, STORE_NAMESPACE, sweepByIterating } from "./keyv-store.js";

export interface MemoryBackend {
  keyv: Keyv;
  /** Records a key unless a live one is there; atomic (one synchronous step on the Map). */
  setIfAbsent: SetIfAbsent;
  /** Deletes the expired entries keyv would otherwise drop only when they are read again. */
  sweepExpired(): Promise<void>;
}

export function openMemory(now: () => number = Date.now): MemoryBackend {
  const map = new Map<string, unknown>();
  // Plain JSON instead of keyv's default serializer (a JSON.stringify with a replacer called for
  // every value, for Buffers troupe never stores): a message writes several values, and this Map
  // is never read by another version, so its format is free. Still a copy, never a shared object.
  const keyv = new Keyv({ store: map, serialize: JSON.stringify, deserialize: JSON.parse });

  const setIfAbsent: SetIfAbsent = async (key, value) => {
    const stored = `${STORE_NAMESPACE}:${key}`;
    if (isLive(map.get(stored), now())) return false;
    map.set(stored, value);
    return true;
  };

  return { keyv, setIfAbsent, sweepExpired: () => sweepByIterating(keyv) };
}

/**
 * Whether keyv would read `stored` as present: anything there that is not keyv's JSON with an
 * `expires` in the past. A value that does not parse is kept, as SQLite's claim keeps it: the
 * event reads as already seen rather than handled twice.
 */
function isLive(stored: unknown, now: number): boolean {
  if (stored === undefined) return false;
  if (typeof stored !== "string") return true;
  let expires: unknown;
  try {
    expires = (JSON.parse(stored) as { expires?: unknown } | null)?.expires;
  } catch {
    return true;
  }
  // keyv's own test: a value is expired once now is past `expires`.
  return !(typeof expires === "number" && now > expires);
}
