/**
 * How a write is paced. Discord limits writes per resource: a channel for the bot's own messages, a
 * webhook for persona faces, an interaction's token for slash-command replies; each reports its
 * limits on every response (discord-rate-limit-headers.ts), and the scheduler
 * (discord-write-scheduler.ts) grants writes by them, completing writes first. An answer shown in a
 * channel through a webhook or an interaction also counts against the channel, so a slash answer
 * and a chat answer there never add up past the channel's budget. Last, the bot's global lane (first
 * messages before edits).
 */
import type { AnswerPacing } from "../shared/answer-pacing.js";
import type { GlobalLane } from "./discord-pacing-lane.js";
import type { WriteScheduler } from "./discord-write-scheduler.js";

export interface Pacing {
  scheduler: WriteScheduler;
  lane: GlobalLane;
}

export interface WriteBuckets {
  /** The bucket the write's responses report on. */
  reportedBy: string;
  /** Buckets it also counts against, without a report. */
  alsoCounts?: readonly string[];
}

export const channelBucket = (channelId: string) => `channel:${channelId}`;
/** A webhook's writes (a persona face, or an interaction's follow-ups: app id and interaction token). */
export const webhookBucket = (webhookId: string, token: string) => `webhook:${webhookId}/${token}`;

/**
 * One answer's pacing: the scheduler's turn, then the global lane. The end is paced by the
 * scheduler, which knows whether there is room, so the final edit does not wait out the interval.
 */
export function paceAnswer(
  pacing: Pacing,
  buckets: WriteBuckets,
  /** Whether the next write is an answer's first message. */
  first: () => boolean,
): AnswerPacing {
  const answer = pacing.scheduler.open(buckets);
  return {
    async acquire(signal) {
      const answered = await answer.acquire(signal);
      await pacing.lane.acquire(first());
      return answered;
    },
    finish: () => answer.finish(),
    close: () => answer.close(),
    finalWaitsForInterval: false,
  };
}

/** A write that stands alone (a notice, an error line, a deletion): complete at once, first in the lane. */
export async function paceOnce<T>(
  pacing: Pacing,
  buckets: WriteBuckets,
  write: () => Promise<T>,
): Promise<T> {
  const answer = pacing.scheduler.open(buckets);
  answer.finish();
  try {
    const answered = await answer.acquire();
    try {
      await pacing.lane.acquire(true);
      return await write();
    } finally {
      answered();
    }
  } finally {
    answer.close();
  }
}
