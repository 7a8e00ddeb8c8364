/**
 * SQLite reads that arrive together go as one statement. Every incoming message reads the bindings
 * of its scopes and its conversation's history; a burst of fifty messages was a hundred SELECTs,
 * each a trip through libuv's pool and back through the event loop, two at a time on the one
 * connection (sqlite-gate.ts), so the last message waited for the trips of all the others. Here one
 * statement of a kind is on its way at a time; the reads that arrive meanwhile wait together and go
 * as the next one, so a burst costs a few trips, and a lone read goes at once as before. (The same
 * idea as sqlite-claims.ts and sqlite-appends.ts for writes; hand-written because it is the
 * connection's queueing, which no library here knows.)
 */
import { z } from "zod";
import type { SqlQuery } from "./sqlite-history.js";

/** Keeps one statement's rows and its sort small; a burst larger than this takes a few statements. */
const REQUESTS_PER_STATEMENT = 200;

interface Pending<Request, Result> {
  request: Request;
  settle(result: Result): void;
  fail(error: unknown): void;
}

/**
 * `readAll` answers several requests with one statement, results in the requests' order. Returns
 * one request's read: it joins the next statement, which goes as soon as the one before is done.
 */
export function batchedReads<Request, Result>(
  readAll: (requests: readonly Request[]) => Promise<readonly Result[]>,
): (request: Request) => Promise<Result> {
  let pending: Pending<Request, Result>[] = [];
  let reading = false;

  async function next(): Promise<void> {
    reading = true;
    const batch = pending.slice(0, REQUESTS_PER_STATEMENT);
    pending = pending.slice(batch.length);
    try {
      const results = await readAll(batch.map((read) => read.request));
      batch.forEach((read, index) => {
        const result = results[index];
        if (result === undefined) read.fail(new Error("a batched read returned fewer results than asked"));
        else read.settle(result);
      });
    } catch (error) {
      for (const read of batch) read.fail(error);
    }
    reading = false;
    if (pending.length > 0) void next();
  }

  return (request) =>
    new Promise<Result>((settle, fail) => {
      pending.push({ request, settle, fail });
      if (!reading) void next();
    });
}

const keyRows = z.array(z.object({ key: z.string(), value: z.unknown() }));

/**
 * keyv's reads of keys (get and getMany: bindings, records, event ids) over its `table`, any number
 * of them in one SELECT. Each read's values come back in its keys' order, undefined where no row is.
 */
export function createKeyReads(
  table: string,
  read: SqlQuery,
): (keys: readonly string[]) => Promise<readonly unknown[]> {
  return batchedReads(async (requests: readonly (readonly string[])[]) => {
    const keys = [...new Set(requests.flat())];
    const rows = keyRows.parse(
      await read(
        `SELECT key, value FROM ${table} WHERE key IN (SELECT value FROM json_each(?))`,
        JSON.stringify(keys),
      ),
    );
    const values = new Map(rows.map((row) => [row.key, row.value]));
    return requests.map((wanted) => wanted.map((key) => values.get(key)));
  });
}

const requestTurns = z.array(z.object({ request: z.number(), turn: z.unknown() }));

/** One conversation's history read: its turns before `before` (all when undefined). */
export interface TurnsRequest {
  conversationId: string;
  before: number | undefined;
}

/**
 * History reads over sqlite-history.ts's tables, any number in one SELECT (one snapshot, so each
 * conversation's expiry check and its rows agree). Each read's turns come oldest first.
 */
export function createTurnReads(read: SqlQuery): (request: TurnsRequest) => Promise<readonly unknown[]> {
  return batchedReads(async (requests: readonly TurnsRequest[]) => {
    // JSON has no Infinity: the largest number stands for "no bound".
    const wanted = requests.map(({ conversationId, before }) => [conversationId, before ?? Number.MAX_VALUE]);
    const rows = requestTurns.parse(
      await read(
        `SELECT w.key AS request, t.turn FROM json_each(?) w
         JOIN troupe_conversations c ON c.conversation = json_extract(w.value, '$[0]')
         JOIN troupe_turns t ON t.conversation = c.conversation AND t.ord < json_extract(w.value, '$[1]')
         WHERE c.expires > ? ORDER BY w.key, t.ord, t.seq`,
        JSON.stringify(wanted),
        Date.now(),
      ),
    );
    const turns = requests.map((): unknown[] => []);
    for (const row of rows) turns[row.request]?.push(row.turn);
    return turns;
  });
}
