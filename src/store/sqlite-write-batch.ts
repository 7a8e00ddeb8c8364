/**
 * The queue behind SQLite's batched writes (sqlite-claims.ts, sqlite-writes.ts): what arrives while
 * the connection is busy waits, and goes as one batch in the next write turn, at most `limit` at a
 * time (the rest in the turn after). Taken at the write turn, not before, so everything that queued
 * meanwhile joins. `flush` settles every item of its batch; when it throws, the whole batch fails
 * with its error; when the turn fails before `flush` ran, everything waiting fails with it, and the
 * next item starts a new turn.
 */
import type { SqlQuery } from "./sqlite-history.js";

export interface BatchedWrite {
  fail(error: unknown): void;
}

export function writeBatches<Item extends BatchedWrite>(
  limit: number,
  write: (run: (query: SqlQuery) => Promise<void>) => Promise<void>,
  flush: (batch: Item[], query: SqlQuery) => Promise<void>,
): (item: Item) => void {
  let pending: Item[] = [];
  let queued = false;

  function schedule(): void {
    queued = true;
    write(async (query) => {
      const batch = pending.slice(0, limit);
      pending = pending.slice(batch.length);
      queued = false;
      if (pending.length > 0) schedule();
      try {
        await flush(batch, query);
      } catch (error) {
        for (const item of batch) item.fail(error);
      }
    }).catch((error: unknown) => {
      queued = false;
      for (const item of pending.splice(0)) item.fail(error);
    });
  }

  return (item) => {
    pending.push(item);
    if (!queued) schedule();
  };
}
