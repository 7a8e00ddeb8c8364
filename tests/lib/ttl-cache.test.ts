import { describe, expect, it } from "vitest";
import { createTtlCache } from "../../src/lib/ttl-cache.js";

describe("bounded cache", () => {
  it("forgets the least recently used past its size, and entries past their time", () => {
    let now = 0;
    const cache = createTtlCache<number>({ maxEntries: 2, ttlMs: 100, now: () => now });
    cache.set("a", 1);
    cache.set("b", 2);
    cache.get("a");
    cache.set("c", 3);
    expect([cache.has("a"), cache.has("b"), cache.has("c")]).toEqual([true, false, true]);
    now = 150;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it("keeps entries without a time to live until newer ones need the room, and forgets on delete", () => {
    let now = 0;
    const cache = createTtlCache<true>({ maxEntries: 2, now: () => now });
    cache.set("a", true);
    now = 1e12;
    expect(cache.has("a")).toBe(true);
    cache.set("b", true);
    cache.set("c", true);
    expect([cache.has("a"), cache.has("b"), cache.has("c")]).toEqual([false, true, true]);
    cache.delete("b");
    expect(cache.has("b")).toBe(false);
    expect(cache.size).toBe(1);
  });
});
