/**
 * Display names for user ids (users.info, scope users:read), so the model reads "Ada", not
 * `<@U123>`. A bounded cache keeps memory flat and spares the API (users.info is Tier 4); a lookup
 * that fails falls back to the id and is retried after a few minutes, not on every message.
 */

import { createTtlCache } from "../../lib/ttl-cache.js";
import { userInfoSchema } from "./slack-payloads.js";
import type { SlackApi } from "./slack-web-api.js";

export interface UserDirectory {
  /** Names for these ids (unknown ones map to the id itself). */
  names(ids: readonly string[]): Promise<Map<string, string>>;
}

export interface UserDirectoryOptions {
  api: SlackApi;
  maxEntries?: number;
  ttlMs?: number;
  failureTtlMs?: number;
}

/** Slack's own order: the display name people chose, then the real name, then the handle. */
function displayName(result: unknown, id: string): string {
  const parsed = userInfoSchema.safeParse(result);
  if (!parsed.success) return id;
  const { user } = parsed.data;
  const candidates = [user.profile?.display_name, user.profile?.real_name, user.real_name, user.name];
  return candidates.find((name) => name !== undefined && name.trim() !== "")?.trim() ?? id;
}

/** At most this many lookups for one message: a pasted list of 200 mentions must not fan out. */
const MAX_LOOKUPS = 20;

export function createUserDirectory(options: UserDirectoryOptions): UserDirectory {
  const failureTtlMs = options.failureTtlMs ?? 5 * 60_000;
  const cache = createTtlCache<Promise<string>>({
    maxEntries: options.maxEntries ?? 5_000,
    ttlMs: options.ttlMs ?? 60 * 60_000,
  });

  function lookup(id: string): Promise<string> {
    const cached = cache.get(id);
    if (cached !== undefined) return cached;
    // quiet: a user Slack does not know (deleted, another org) is normal: the id stands in.
    const pending = options.api.call("users.info", { user: id }, { quiet: true }).then(
      (result) => displayName(result, id),
      () => {
        cache.set(id, Promise.resolve(id), failureTtlMs);
        return id;
      },
    );
    cache.set(id, pending);
    return pending;
  }

  return {
    async names(ids) {
      const unique = [...new Set(ids)].slice(0, MAX_LOOKUPS);
      const names = await Promise.all(unique.map(lookup));
      return new Map(unique.map((id, index) => [id, names[index] ?? id]));
    },
  };
}
