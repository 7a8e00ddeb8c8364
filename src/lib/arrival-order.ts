/**
 * Arrival order keys: a number per incoming message, taken the moment it reaches the bot, so a
 * conversation's exchanges can be stored in the order their questions arrived rather than the order
 * their answers finished. Milliseconds since the epoch, so keys from several instances interleave
 * by wall-clock time (as well as their clocks agree), plus a per-process step that keeps two keys
 * taken in the same millisecond distinct and increasing.
 */

/**
 * 1/1024 ms: an exact binary fraction, and at today's epoch (below 2^41 ms) a double still holds
 * steps of 1/2048, so every key stays exact (Redis scores and SQLite REAL are doubles too).
 */
const STEP = 1 / 1024;

let last = 0;

/** A key greater than every key this process handed out before, and close to `now`. */
export function nextArrivalOrder(now: number = Date.now()): number {
  last = Math.max(now, last + STEP);
  return last;
}

/** Whether `order` can be an arrival order key (a positive finite number). */
export function isArrivalOrder(order: number): boolean {
  return Number.isFinite(order) && order > 0;
}
