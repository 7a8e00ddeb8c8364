/**
 * Pseudonyms: an HMAC of the text under the install's secret, kept in a bounded cache. A kept
 * pseudonym is the one the HMAC gives, the cache never holds more than its bound, and a pseudonym
 * it let go is computed again to the same value.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createPseudonyms } from "../../src/feedback/pseudonym.js";
import { createTtlCache } from "../../src/lib/ttl-cache.js";
import { createStore } from "../../src/store/create-store.js";

const LIMITS = { historyTtlMs: 60 * 60_000, maxTurns: 100 };

async function secretOf(store: Awaited<ReturnType<typeof createStore>>): Promise<string> {
  const secret = await store.getRecord("feedback:secret");
  if (typeof secret !== "string") throw new Error("no secret stored");
  return secret;
}

const hmac = (secret: string, text: string) =>
  createHmac("sha256", secret).update(text).digest("hex").slice(0, 32);

describe("pseudonyms", () => {
  it("are the HMAC of platform:id under the stored secret, the same when asked again", async () => {
    const store = await createStore("memory://", LIMITS);
    const pseudonyms = createPseudonyms(store);
    const first = await pseudonyms.of("slack", "U1");
    const secret = await secretOf(store);
    expect(first).toBe(hmac(secret, "slack:U1"));
    expect(await pseudonyms.of("slack", "U1")).toBe(first);
    expect(await pseudonyms.of("discord", "U1")).toBe(hmac(secret, "discord:U1"));
    expect(await pseudonyms.hashOf("slack:T:C")).toBe(hmac(secret, "slack:T:C"));
    // Another process on the same store (no cache of its own yet) gives the same pseudonym.
    expect(await createPseudonyms(store).of("slack", "U1")).toBe(first);
    await store.close();
  });

  it("keeps at most the cache's bound, and computes a dropped one again to the same value", async () => {
    const store = await createStore("memory://", LIMITS);
    const cache = createTtlCache<string>({ maxEntries: 2 });
    const pseudonyms = createPseudonyms(store, { cache });
    const firstA = await pseudonyms.of("slack", "A");
    await pseudonyms.of("slack", "B");
    await pseudonyms.of("slack", "C");
    expect(cache.size).toBe(2);
    expect(cache.has("slack:A")).toBe(false);
    expect(cache.get("slack:C")).toBe(hmac(await secretOf(store), "slack:C"));
    expect(await pseudonyms.of("slack", "A")).toBe(firstA);
    expect(cache.size).toBe(2);
    await store.close();
  });

  it("caches nothing while the secret cannot be read", async () => {
    const store = await createStore("memory://", LIMITS);
    const cache = createTtlCache<string>({ maxEntries: 10 });
    await store.close();
    const pseudonyms = createPseudonyms(store, { cache });
    await expect(pseudonyms.of("slack", "A")).rejects.toThrow();
    expect(cache.size).toBe(0);
  });
});
