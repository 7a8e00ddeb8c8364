/**
 * A bounded cache with an optional time to live: at most `maxEntries` (the least recently used go
 * first), each forgotten `ttlMs` after it was set. Every connector's own memory (users, threads it
 * takes part in, webhooks per channel, channels already warned about) stays flat however many
 * channels, threads and people a large bot sees.
 */

export interface TtlCache<Value> {
  get(key: string): Value | undefined;
  set(key: string, value: Value, ttlMs?: number): void;
  has(key: string): boolean;
  delete(key: string): void;
  readonly size: number;
}

export interface TtlCacheOptions {
  maxEntries: number;
  /** Default: entries never expire, they only make way for newer ones. */
  ttlMs?: number;
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
    delete(key) {
      entries.delete(key);
    },
    set(key, value, ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY) {
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
