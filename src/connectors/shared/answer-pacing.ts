/**
 * How one streaming answer asks for its writes. The edit stream does not know a platform's limits;
 * it tells its pacing what it knows that a plain budget cannot: whether the model has finished (from
 * then on every write completes the answer, and a platform that shares a channel between many
 * answers can serve those first), and when each write was answered (a platform that reads its
 * limits from responses counts a write as spent until then). A plain first-come budget (Slack's) is
 * wrapped by `paceWithBudget` and behaves exactly as before.
 */
import type { WriteBudget } from "./write-budget.js";

export interface AnswerPacing {
  /** Waits for this answer's next write; resolves with the function to call once it is answered. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** The model is done: every later write completes the answer. */
  finish(): void;
  /** The answer is delivered (or given up): it no longer waits for a write. */
  close(): void;
  /**
   * Whether the final pass waits out the edit interval before its last edit. A budget that knows
   * whether it has room paces the end itself, so the full text shows the moment there is room.
   */
  readonly finalWaitsForInterval: boolean;
}

const answered = () => {};

/** A first-come budget under one key, as an answer's pacing: the edit interval keeps the final edit in step. */
export function paceWithBudget(budget: WriteBudget, key: string): AnswerPacing {
  return {
    acquire: async (signal) => {
      await budget.acquire(key, signal);
      return answered;
    },
    finish() {},
    close() {},
    finalWaitsForInterval: true,
  };
}

/**
 * A one-shot "it happened" (the model ended) with listeners: what an AbortController did here, for
 * a fraction of its cost. An answer made two of them; creating and aborting an AbortController (an
 * EventTarget, an Event dispatched) was the largest single item of the Slack sink's CPU per answer.
 */
export interface Latch {
  readonly fired: boolean;
  fire(): void;
  /** Calls `listener` once fired (at once when it already has); returns the unsubscribe. */
  on(listener: () => void): () => void;
}

const nothing = () => {};

export function createLatch(): Latch {
  let fired = false;
  let listeners: (() => void)[] | undefined;
  return {
    get fired() {
      return fired;
    },
    fire() {
      if (fired) return;
      fired = true;
      const waiting = listeners;
      listeners = undefined;
      if (waiting !== undefined) for (const listener of waiting) listener();
    },
    on(listener) {
      if (fired) {
        listener();
        return nothing;
      }
      const list = listeners ?? [];
      listeners = list;
      list.push(listener);
      return () => {
        const index = list.indexOf(listener);
        if (index !== -1) list.splice(index, 1);
      };
    },
  };
}
