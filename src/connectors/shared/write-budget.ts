/**
 * A per-key write budget: at most `limit` writes in any `windowMs`, shared by everything writing
 * under that key. For a platform whose limits are known and not reported per response: Slack's
 * chat.update is Tier 3 (about 50 a minute per workspace). Staying under the budget means no 429s
 * under normal load. Waiters are served first come, first served, so one long answer cannot starve
 * another in the same channel. (Discord reports its limits on every write and is paced by them:
 * connectors/discord/discord-write-scheduler.ts.)
 */
import { onAbort } from "../../lib/on-abort.js";

export interface WriteBudget {
  /** Resolves when a write under `key` may go out now; rejects if `signal` aborts first. */
  acquire(key: string, signal?: AbortSignal): Promise<void>;
  /** How many writes under `key` could go out now without waiting (none while others wait). */
  room(key: string): number;
  /** Keys held: those with writes in the current window or waiting, and idle ones not yet swept. */
  readonly keys: number;
}

export interface WriteBudgetOptions {
  limit: number;
  windowMs: number;
  /** Injected for tests; defaults to the real clock. */
  now?: () => number;
}

interface KeyState {
  /** When each write in the current window went out, oldest first. */
  sent: number[];
  waiters: { resolve: () => void; reject: (reason: unknown) => void; signal?: AbortSignal }[];
  timer?: NodeJS.Timeout;
}

/** Up to this many keys, a sweep runs at most once a window; above it, also when the keys have doubled. */
const SWEEP_FROM = 1000;

export function createWriteBudget(options: WriteBudgetOptions): WriteBudget {
  const now = options.now ?? Date.now;
  const keys = new Map<string, KeyState>();
  // A sweep walks every key: run it when the keys have doubled since the last one, or a window
  // later, never on every write (a burst into thousands of channels made it a third of a write's cost).
  // Once a window whatever the count, so a channel written to once is forgotten a window or two
  // later, not kept until a thousand others have been written to (a Slack channel's post key).
  let sweepAbove = SWEEP_FROM;
  let sweptAt = 0;

  function pump(key: string, state: KeyState): void {
    const time = now();
    while (state.sent.length > 0 && (state.sent[0] ?? 0) <= time - options.windowMs) state.sent.shift();
    while (state.waiters.length > 0 && state.sent.length < options.limit) {
      const waiter = state.waiters.shift();
      if (!waiter || waiter.signal?.aborted) continue;
      state.sent.push(time);
      waiter.resolve();
    }
    if (state.waiters.length > 0 && state.timer === undefined) {
      const wait = (state.sent[0] ?? time) + options.windowMs - time;
      state.timer = setTimeout(
        () => {
          state.timer = undefined;
          pump(key, state);
        },
        Math.max(1, wait),
      );
    }
    if (state.waiters.length === 0 && state.sent.length === 0 && state.timer === undefined) keys.delete(key);
  }

  /** Keys idle for a whole window hold nothing worth keeping; drop them so memory stays flat. */
  function sweep(): void {
    const cutoff = now() - options.windowMs;
    for (const [key, state] of keys) {
      if (state.waiters.length === 0 && state.timer === undefined && (state.sent.at(-1) ?? 0) <= cutoff)
        keys.delete(key);
    }
  }

  return {
    room(key) {
      const state = keys.get(key);
      if (!state) return options.limit;
      const cutoff = now() - options.windowMs;
      const inWindow = state.sent.filter((at) => at > cutoff).length;
      return Math.max(0, options.limit - inWindow - state.waiters.length);
    },
    acquire(key, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (keys.size > sweepAbove || (keys.size > 0 && now() - sweptAt > options.windowMs)) {
        sweep();
        sweptAt = now();
        sweepAbove = Math.max(SWEEP_FROM, 2 * keys.size);
      }
      let state = keys.get(key);
      if (!state) {
        state = { sent: [], waiters: [] };
        keys.set(key, state);
      }
      const current = state;
      // Room now and nobody waiting: granted at once, without a waiter or a listener on `signal`
      // (most writes, an answer's first post always). Same outcome as pump's.
      if (current.waiters.length === 0) {
        const time = now();
        while (current.sent.length > 0 && (current.sent[0] ?? 0) <= time - options.windowMs)
          current.sent.shift();
        if (current.sent.length < options.limit) {
          current.sent.push(time);
          return Promise.resolve();
        }
      }
      return new Promise<void>((resolve, reject) => {
        // Granted or not, the wait stops listening: the signal (often the shutdown deadline every
        // write shares) must not collect one listener per write for the life of the process.
        let unsubscribe = () => {};
        const waiter = {
          resolve: () => {
            unsubscribe();
            resolve();
          },
          reject,
          signal,
        };
        current.waiters.push(waiter);
        if (signal !== undefined)
          unsubscribe = onAbort(signal, () => {
            const index = current.waiters.indexOf(waiter);
            if (index !== -1) current.waiters.splice(index, 1);
            reject(signal.reason);
          });
        pump(key, current);
      });
    },
    get keys() {
      return keys.size;
    },
  };
}
