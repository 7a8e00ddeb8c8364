/**
 * Pseudonymous ids for people in feedback records: HMAC-SHA256 of `platform:userId` under a
 * per-install secret kept in the store. Records never hold a platform id, yet `/forget-me` and
 * `npm run data -- forget` find a person's records by computing the same pseudonym again. The
 * secret is made on first use; every instance sharing the store reads the same one.
 *
 * Each answer asks for two (who asked, the conversation), and an HMAC costs a key setup every time:
 * the last ones computed are kept in a bounded cache (least recently used go first). The secret
 * never changes once read, so a kept pseudonym is always the one an HMAC would give.
 */
import { createHmac, randomBytes } from "node:crypto";
import { z } from "zod";
import { createTtlCache, type TtlCache } from "../lib/ttl-cache.js";
import type { ConversationStore } from "../store/conversation-store.js";

const SECRET_KEY = "feedback:secret";
const secretSchema = z.string().min(32);
/** People and conversations active at once on a large install, with room to spare (~1 MB). */
const DEFAULT_CACHED = 10_000;

export interface Pseudonyms {
  /** The person's pseudonym: 32 hex characters, stable for this install. */
  of(platform: string, userId: string): Promise<string>;
  /** Any other text that names a person or place (a conversation id), under the same secret. */
  hashOf(text: string): Promise<string>;
}

export interface PseudonymOptions {
  /** Where computed pseudonyms are kept, by the text hashed (tests pass a small one to watch it). */
  cache?: TtlCache<string>;
}

export function createPseudonyms(store: ConversationStore, options: PseudonymOptions = {}): Pseudonyms {
  const cache = options.cache ?? createTtlCache<string>({ maxEntries: DEFAULT_CACHED });
  let secret: Promise<string> | undefined;
  async function loadSecret(): Promise<string> {
    const stored = secretSchema.safeParse(await store.getRecord(SECRET_KEY));
    if (stored.success) return stored.data;
    await store.putRecord(SECRET_KEY, randomBytes(32).toString("hex"));
    // Two instances starting at once may both write one: whichever stayed is the one everyone uses.
    return secretSchema.parse(await store.getRecord(SECRET_KEY));
  }
  function key(): Promise<string> {
    secret ??= loadSecret().catch((error: unknown) => {
      secret = undefined; // a store outage: try again next time
      throw error;
    });
    return secret;
  }
  async function hashOf(text: string): Promise<string> {
    const kept = cache.get(text);
    if (kept !== undefined) return kept;
    const digest = createHmac("sha256", await key())
      .update(text)
      .digest("hex")
      .slice(0, 32);
    cache.set(text, digest);
    return digest;
  }
  return { hashOf, of: (platform, userId) => hashOf(`${platform}:${userId}`) };
}
