/**
 * A bounded cache with a time to live: at most `maxEntries` (the least recently used go first), each
 * forgotten `ttlMs` after it was set. Memory stays flat however many users and threads pass by.
 */

export interface TtlCache<Value> {
  get(key: string): Value | undefined;
  set(key: string, value: Value, ttlMs?: number): void;
  has(key: string): boolean;
  readonly size: number;
}

export interface TtlCacheOptions {
  maxEntries: number;
  ttlMs: number;
  /** Injected for tests; defaults to the real clock. */
  now?: () => number;
}

export function createTtlCache<Value>(options: TtlCacheOptions): TtlCache<Value> {
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on use keeps the oldest use first.
  const entries = new Map<string, { value: Value; expires: number }>();

  function get(key: string): Value | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    entries.delete(key);
    if (entry.expires <= now()) return undefined;
    entries.set(key, entry);
    return entry.value;
  }

  return {
    get,
    has: (key) => get(key) !== undefined,
    set(key, value, ttlMs = options.ttlMs) {
      entries.delete(key);
      entries.set(key, { value, expires: now() + ttlMs });
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    get size() {
      return entries.size;
    },
  };
}
