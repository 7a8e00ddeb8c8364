/**
 * Per-key order across instances sharing one Redis: a fair FIFO ticket lock. A caller takes a
 * ticket (INCR) the moment it calls, so tickets follow arrival; it runs when "now serving" reaches
 * its ticket, and then moves "now serving" on. Keys, for a key K: `troupe:order:K:next` (the ticket
 * counter), `:serving`, `:lease` (the holder's claim) and `:gone:<n>` (a ticket given up).
 *
 * Bounded everywhere: the holder keeps a short lease alive while it works; a crashed instance's
 * lease lapses and the next ticket is served. A wait ends after `waitMaxMs`, on the caller's abort
 * signal, or at close, and the work then runs anyway (its ticket marked gone so nobody waits for
 * it): a late answer beats none. Every key expires when idle. Redis failing falls back to the
 * in-process queue, which orders this instance's own calls in every case; that is logged once
 * per outage. Waiting polls with a short backoff: a pub/sub wake-up would need a second connection
 * per instance for a gain of well under the 100 ms the backoff is capped at.
 */
import { setMaxListeners } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { createKeyedQueue } from "../lib/keyed-queue.js";
import type { Logger } from "../lib/logger.js";
import { bounded } from "./bounded.js";
import type { InOrderOptions } from "./conversation-store.js";
import type { EvalScript } from "./redis-history.js";

export interface OrderTimings {
  /** How long a holder's claim lives without being refreshed: a crashed instance blocks this long. */
  leaseMs: number;
  /** How often a holder refreshes its lease. */
  refreshMs: number;
  /** The longest a call waits for its turn before it runs anyway. */
  waitMaxMs: number;
  /** The deadline of each Redis call. */
  callTimeoutMs: number;
}

export const DEFAULT_ORDER_TIMINGS: OrderTimings = {
  leaseMs: 15_000,
  refreshMs: 5_000,
  waitMaxMs: 5 * 60_000,
  callTimeoutMs: 2_000,
};

const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 100;

// KEYS: next, serving, lease. ARGV: the gone-key prefix, leaseMs, idleMs, ticket.
const COMMON = `
local nextKey, servingKey, leaseKey = KEYS[1], KEYS[2], KEYS[3]
local leaseMs, idleMs = ARGV[2], ARGV[3]
local ticket = tonumber(ARGV[4])
local function goneKey(n) return ARGV[1] .. n end
local function claim(n)
  redis.call('SET', servingKey, n, 'PX', idleMs)
  redis.call('SET', leaseKey, n, 'PX', leaseMs)
  redis.call('PEXPIRE', nextKey, idleMs)
end
-- Serves the first ticket after "from" that is still wanted, with a lease to claim its turn in;
-- with none left, deletes the keys.
local function advance(from)
  local last = tonumber(redis.call('GET', nextKey) or '0')
  local n = from + 1
  while n <= last and redis.call('DEL', goneKey(n)) == 1 do n = n + 1 end
  if n > last then
    redis.call('DEL', nextKey, servingKey, leaseKey)
    return nil
  end
  claim(n)
  return n
end
`;

const TAKE = `${COMMON}
local n = redis.call('INCR', nextKey)
redis.call('PEXPIRE', nextKey, idleMs)
if redis.call('EXISTS', servingKey) == 0 then claim(n) end
return n`;

// 1: go (this ticket is served, or was passed over); 0: wait.
const POLL = `${COMMON}
local serving = tonumber(redis.call('GET', servingKey) or '0')
if serving == 0 or serving == ticket then claim(ticket) return 1 end
if serving > ticket then return 1 end
if redis.call('EXISTS', leaseKey) == 0 and advance(serving) == ticket then return 1 end
return 0`;

const REFRESH = `${COMMON}
if tonumber(redis.call('GET', servingKey) or '0') == ticket then claim(ticket) return 1 end
return 0`;

const RELEASE = `${COMMON}
local serving = tonumber(redis.call('GET', servingKey) or '0')
if serving == ticket then advance(ticket) return 1 end
if serving < ticket then redis.call('SET', goneKey(ticket), 1, 'PX', idleMs) end
return 0`;

export interface RedisOrder {
  inOrder<T>(key: string, work: () => Promise<T>, options?: InOrderOptions): Promise<T>;
  /** Ends every wait (the work runs) and stops refreshing leases. */
  close(): void;
}

export function createRedisOrder(
  evalScript: EvalScript,
  options: { name: string; logger?: Logger; timings?: Partial<OrderTimings> },
): RedisOrder {
  const timings = { ...DEFAULT_ORDER_TIMINGS, ...options.timings };
  const { logger, name } = options;
  const local = createKeyedQueue();
  const closing = new AbortController();
  // Every call holding or awaiting its turn listens to it; hundreds at once are normal, not a leak.
  setMaxListeners(0, closing.signal);
  const idleMs = timings.waitMaxMs + 2 * timings.leaseMs;
  let degraded = false;

  async function call(script: string, key: string, ticket: number): Promise<number> {
    const prefix = `troupe:order:${key}:`;
    const reply = await bounded(`${name}: keeping the order of ${key}`, timings.callTimeoutMs, () =>
      evalScript(
        script,
        [`${prefix}next`, `${prefix}serving`, `${prefix}lease`],
        [`${prefix}gone:`, String(timings.leaseMs), String(idleMs), String(ticket)],
      ),
    );
    if (degraded) logger?.info({ store: name }, "per-person order is shared across instances again");
    degraded = false;
    return Number(reply);
  }

  function outage(error: unknown, key: string): void {
    if (degraded) return;
    degraded = true;
    logger?.warn(
      { store: name, key, err: error },
      "Redis unavailable: per-person order holds within this instance only",
    );
  }

  async function waitForTurn(key: string, ticket: number, signal: AbortSignal | undefined): Promise<void> {
    const giveUpAt = Date.now() + timings.waitMaxMs;
    let pause = FIRST_POLL_MS;
    for (;;) {
      if (signal?.aborted || closing.signal.aborted) return;
      try {
        if ((await call(POLL, key, ticket)) === 1) return;
      } catch (error) {
        return outage(error, key);
      }
      if (Date.now() >= giveUpAt) {
        logger?.warn(
          { store: name, key, waitedMs: timings.waitMaxMs },
          "waited too long for an earlier message of this person: answering out of order",
        );
        return;
      }
      const stop = AbortSignal.any([closing.signal, ...(signal ? [signal] : [])]);
      await delay(Math.min(pause, giveUpAt - Date.now()), undefined, { signal: stop }).catch(() => undefined);
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
  }

  return {
    inOrder(key, work, inOrderOptions = {}) {
      // Taken now, before any waiting: the ticket's number is this call's place in the line.
      const ticket = call(TAKE, key, 0).catch((error: unknown) => {
        outage(error, key);
        return undefined;
      });
      return local.run(key, async () => {
        const taken = await ticket;
        if (taken === undefined) return work();
        await waitForTurn(key, taken, inOrderOptions.signal);
        const refresher = setInterval(() => {
          call(REFRESH, key, taken).catch((error: unknown) => outage(error, key));
        }, timings.refreshMs);
        refresher.unref();
        const stopRefreshing = () => clearInterval(refresher);
        closing.signal.addEventListener("abort", stopRefreshing, { once: true });
        try {
          return await work();
        } finally {
          stopRefreshing();
          closing.signal.removeEventListener("abort", stopRefreshing);
          if (!closing.signal.aborted) {
            await call(RELEASE, key, taken).catch((error: unknown) => outage(error, key));
          }
        }
      });
    },
    close() {
      closing.abort();
    },
  };
}
