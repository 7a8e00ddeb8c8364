/**
 * SQLite's "set if absent" (markSeen: has this platform event been handled?), many in one
 * statement. Every incoming event claims its id before anything else happens, so a burst of fifty
 * events is fifty writes, and writes take the connection one at a time (sqlite-gate.ts): one
 * statement each would queue fifty trips through the event loop in front of every answer. Claims
 * that arrive while the connection is busy wait together and go as one INSERT … RETURNING when it
 * is their turn; the rows it returns are the keys it wrote, so each caller still learns whether its
 * own claim was new. Atomic across processes too: the claim is the write.
 */
import type { SqlQuery } from "./sqlite-history.js";
import { writeBatches } from "./sqlite-write-batch.js";

/** Keeps one statement far below SQLite's bound-parameter limit (3 a row). */
const CLAIMS_PER_STATEMENT = 500;

interface Claim {
  key: string;
  value: string;
  settle(fresh: boolean): void;
  fail(error: unknown): void;
}

/**
 * `table` is keyv's (key, value) table; a row is taken over when its value is keyv's JSON with an
 * `expires` in the past (keyv would read it as absent). `write` runs a statement in the connection's
 * write turn. The returned function resolves true when it stored `key`, false when a live row was there.
 */
export function createSqliteClaims(
  table: string,
  write: (run: (query: SqlQuery) => Promise<void>) => Promise<void>,
  now: () => number = Date.now,
): (key: string, value: string) => Promise<boolean> {
  const enqueue = writeBatches<Claim>(CLAIMS_PER_STATEMENT, write, async (batch, query) => {
    // The same key twice in one burst (a platform retry): only its first claim can be the new one.
    const first = new Map<string, Claim>();
    for (const claim of batch) if (!first.has(claim.key)) first.set(claim.key, claim);
    const claims = [...first.values()];
    const rows = await query(
      `INSERT INTO ${table} (key, value) VALUES ${claims.map(() => "(?, ?)").join(", ")}
       ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE json_valid(${table}.value)
       AND json_extract(${table}.value, '$.expires') < ? RETURNING key`,
      ...claims.flatMap((claim) => [claim.key, claim.value]),
      now(),
    );
    const written = new Set(Array.isArray(rows) ? rows.map((row: { key?: unknown }) => row.key) : []);
    for (const claim of batch) claim.settle(first.get(claim.key) === claim && written.has(claim.key));
  });

  return (key, value) => new Promise<boolean>((settle, fail) => enqueue({ key, value, settle, fail }));
}
