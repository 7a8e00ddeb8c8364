/**
 * How one Slack post-and-update answer asks for its writes: the first message waits on its
 * channel's chat.postMessage budget, every later write on the workspace's chat.update budget
 * (Tier 3, about 50 a minute, shared by every answer streaming there).
 *
 * Posting the first text at once makes an answer cost at least two writes: the post and a final
 * update. When the update budget cannot pay for that update now, an answer that posted early would
 * wait for it (up to a minute, holding its person's turn, so their next messages wait too); under a
 * burst of quick answers the whole workspace stalls that way. So the first message streams early
 * only while the update budget has room for one update for every answer that did so and still owes
 * it; otherwise it waits for the model's end and goes out whole, in one write. A busy workspace then
 * spends one write per answer, as a busy Discord channel does.
 */
import { onAbort } from "../../lib/on-abort.js";
import { type AnswerPacing, createLatch } from "../shared/answer-pacing.js";
import type { SinkContext } from "./slack-sink-context.js";

const answered = () => {};

export function paceSlackAnswer(
  context: Pick<SinkContext, "postBudget" | "updateBudget" | "updatesOwed" | "teamId">,
  channel: string,
): AnswerPacing {
  const { postBudget, updateBudget, updatesOwed, teamId } = context;
  let firstAsked = false;
  let owesUpdate = false;
  const modelEnded = createLatch();

  function settleDebt(): void {
    if (!owesUpdate) return;
    owesUpdate = false;
    updatesOwed.count--;
  }

  /** Resolves when the model ends; rejects with the signal's reason if it aborts first. */
  function untilModelEnds(signal: AbortSignal | undefined): Promise<void> {
    if (modelEnded.fired) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const stopEnded = modelEnded.on(() => {
        stopAborted();
        resolve();
      });
      const stopAborted =
        signal === undefined
          ? () => {}
          : onAbort(signal, () => {
              stopEnded();
              reject(signal.reason);
            });
    });
  }

  return {
    async acquire(signal) {
      if (firstAsked) {
        // Waiting in the update budget now: the place this answer kept there is taken.
        settleDebt();
        await updateBudget.acquire(teamId, signal);
        return answered;
      }
      firstAsked = true;
      if (!modelEnded.fired) {
        if (updateBudget.room(teamId) > updatesOwed.count) {
          owesUpdate = true;
          updatesOwed.count++;
        } else {
          await untilModelEnds(signal);
        }
      }
      await postBudget.acquire(channel, signal);
      return answered;
    },
    finish() {
      modelEnded.fire();
    },
    close() {
      modelEnded.fire();
      settleDebt();
    },
    finalWaitsForInterval: true,
  };
}
