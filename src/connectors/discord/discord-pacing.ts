/**
 * How a write is paced. Discord limits writes per resource: a channel for the bot's own messages, a
 * webhook for persona faces, an interaction for slash-command replies. An answer shown in a channel
 * also shares that channel's budget (about 5 writes per 5 s, whoever writes), so a slash answer and a
 * chat answer in one channel never add up past it. Last, the bot's global lane (first messages
 * before edits). This view of the budget waits for a write in each bucket, then for the lane.
 */
import type { WriteBudget } from "../shared/write-budget.js";
import type { GlobalLane } from "./discord-pacing-lane.js";

export interface Pacing {
  budget: WriteBudget;
  lane: GlobalLane;
}

export function pacedBudget(
  pacing: Pacing,
  buckets: readonly string[],
  /** Whether the next write is an answer's first message. */
  first: () => boolean,
): WriteBudget {
  return {
    async acquire(key, signal) {
      for (const bucket of new Set([...buckets, key])) await pacing.budget.acquire(bucket, signal);
      await pacing.lane.acquire(first());
    },
  };
}
