/**
 * At most `max` pieces of work running at once; the rest wait in arrival order (p-limit does the
 * queue). The bot runs each event's work through one, so a burst faster than the answers waits here
 * as a small closure instead of thousands of answers in flight, each holding its store reads, its
 * prompt, its model request and its stream: a 9,000-mention burst on Slack otherwise kept ~2,000
 * answers in flight and left V8's old space ~160 MB committed.
 */
import pLimit from "p-limit";

export interface ConcurrencyGate {
  /** Runs `work` now, or when a running one ends; its result or rejection is the caller's. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Work running now. */
  running(): number;
  /** Work waiting for its turn. */
  waiting(): number;
  /** From now on nothing waits: a stop lets queued work start (and see the stop) at once. */
  open(): void;
}

export function createConcurrencyGate(max: number): ConcurrencyGate {
  const limit = pLimit(max);
  return {
    run: (work) => limit(work),
    running: () => limit.activeCount,
    waiting: () => limit.pendingCount,
    open() {
      limit.concurrency = Number.POSITIVE_INFINITY;
    },
  };
}
