/**
 * Streams a growing answer into platform messages: the first message goes out as soon as the first
 * text arrives, then grows by edits paced by a shared write budget and a minimum gap per message;
 * past the platform's length limit the text continues in a new message (split by splitText). The
 * last edit always holds the whole answer. Used by every platform connector.
 *
 * The pacing hears when the model ends (see answer-pacing.ts): a write still waiting then carries
 * the whole answer and completes it, so a platform that serves completing writes first can spend
 * one write on an answer that finished before its turn came. The edit interval spreads writes
 * mid-stream; it holds back the end only where the pacing asks for that (Slack's plain budget).
 *
 * When troupe must exit (`deadline` aborts), a write still waiting (for the budget, for the edit
 * interval, for the platform) is given up and `cutOff` in the result says what nobody saw, so core
 * can log it and keep the question; nothing is left to settle after the process is gone.
 */

import type { StreamResult } from "../../core/reply-sink.js";
import { onAbort } from "../../lib/on-abort.js";
import { type AnswerPacing, createLatch, type Latch, paceWithBudget } from "./answer-pacing.js";
import { splitText } from "./split-text.js";
import type { WriteBudget } from "./write-budget.js";

export interface MessageWriter<Handle> {
  /** Posts a new message and returns what `edit` needs to change it; `signal` gives the request up. */
  create(text: string, signal?: AbortSignal): Promise<Handle>;
  edit(handle: Handle, text: string, signal?: AbortSignal): Promise<void>;
}

/** A first-come budget and its scope (a Slack workspace), or an answer's own pacing (Discord's). */
type EditStreamPacing =
  | { budget: WriteBudget; budgetKey: string; pacing?: never }
  | { pacing: AnswerPacing; budget?: never; budgetKey?: never };

export type EditStreamOptions<Handle> = EditStreamPacing & EditStreamSettings<Handle>;

interface EditStreamSettings<Handle> {
  writer: MessageWriter<Handle>;
  maxLength: number;
  /** The least time between two edits of one message (on top of the budget). */
  minEditIntervalMs: number;
  /** Put before the answer in the first message, e.g. the persona's name. */
  header?: string;
  /** Turns the model's Markdown into what the platform renders, before splitting. */
  render?: (text: string) => string;
  interruptedNote: string;
  /** Shows "typing…" until the first text; returns the function that stops it. */
  startTyping?: () => () => void;
  /** A write failed: log it. The stream goes on (a deleted message is replaced by a new one). */
  onWriteError?: (error: unknown, write: "create" | "edit") => void;
  /** Aborted when the process must exit: writes still waiting are given up (see StreamResult.cutOff). */
  deadline?: AbortSignal;
}

interface Sent<Handle> {
  handle?: Handle;
  text: string;
  at: number;
}

/** Consumes `deltas` to the end (or until a post fails for good, or the deadline) and delivers them. */
export async function streamToMessages<Handle>(
  deltas: AsyncIterable<string>,
  options: EditStreamOptions<Handle>,
): Promise<StreamResult> {
  const render = options.render ?? ((text: string) => text);
  const { deadline } = options;
  const pacing = options.pacing ?? paceWithBudget(options.budget, options.budgetKey);
  /** Aborted when the model ends: the mid-stream loop stops pausing and hands over to the final pass. */
  const modelEnded = createLatch();
  const sent: Sent<Handle>[] = [];
  let text = "";
  let streamError: unknown;
  let deliveryError: unknown;
  let cutOff: StreamResult["cutOff"];
  let flushing: Promise<void> | undefined;
  let stopTyping = options.startTyping?.();

  function chunksOf(body: string, note?: string): string[] {
    const full = `${options.header ?? ""}${render(body)}${note ? ` ${note}` : ""}`;
    return splitText(full, options.maxLength);
  }

  /** Whether the deadline has passed; records what nobody will see when it has. */
  function deadlinePassed(): boolean {
    if (deadline?.aborted !== true) return false;
    cutOff ??= sent.some((entry) => entry?.handle !== undefined) ? "last-edit" : "first-post";
    return true;
  }

  /** One pass: writes every chunk that changed, each write waiting for the budget. */
  async function writeOnce(chunks: () => string[], final: boolean): Promise<void> {
    for (let index = 0; ; index++) {
      const current = chunks();
      const chunk = current[index];
      if (chunk === undefined) return;
      const previous = sent[index];
      if (previous?.text === chunk && previous.handle !== undefined) continue;
      if (deadlinePassed()) return;
      // A message edited moments ago: mid-stream it waits for the next pass; the final pass waits
      // out the interval only where the pacing asks it to (a plain budget keeps the end in step).
      const since = previous?.handle === undefined ? Number.POSITIVE_INFINITY : Date.now() - previous.at;
      let answered: () => void;
      try {
        if (since < options.minEditIntervalMs) {
          if (!final) continue;
          if (pacing.finalWaitsForInterval)
            await beforeDeadline(() => delay(options.minEditIntervalMs - since), deadline);
        }
        answered = await beforeDeadline(() => pacing.acquire(deadline), deadline);
      } catch (error) {
        if (deadlinePassed()) return;
        throw error;
      }
      try {
        if (!(await writeChunk(index, chunks()[index] ?? chunk, previous?.handle))) return;
      } finally {
        answered();
      }
    }
  }

  /** Writes chunk `index` (edit, or a new message when there is none or it is gone); false: stop. */
  async function writeChunk(index: number, latest: string, handle: Handle | undefined): Promise<boolean> {
    // `latest` is rendered after the wait: the text has grown, and the write should carry all of it.
    if (handle !== undefined) {
      try {
        await beforeDeadline(() => options.writer.edit(handle, latest, deadline), deadline);
        sent[index] = { handle, text: latest, at: Date.now() };
        return true;
      } catch (error) {
        if (deadlinePassed()) return false;
        // The message is gone (deleted, archived thread…): continue in a new one.
        options.onWriteError?.(error, "edit");
      }
    }
    try {
      const created = await beforeDeadline(() => options.writer.create(latest, deadline), deadline);
      sent[index] = { handle: created, text: latest, at: Date.now() };
      return true;
    } catch (error) {
      if (deadlinePassed()) return false;
      options.onWriteError?.(error, "create");
      deliveryError = error;
      return false;
    }
  }

  function upToDate(): boolean {
    return chunksOf(text).every((chunk, index) => sent[index]?.text === chunk);
  }

  /** Keeps writing while the text runs ahead of what people see, paced by the edit interval. */
  function scheduleFlush(): void {
    if (flushing) return;
    flushing = (async () => {
      while (deliveryError === undefined && cutOff === undefined) {
        await writeOnce(() => chunksOf(text), false);
        if (upToDate() || modelEnded.fired) break;
        await pause(Math.min(options.minEditIntervalMs, 250), modelEnded);
      }
    })()
      // Writes catch their own failures; anything else still ends delivery, never unhandled.
      .catch((error: unknown) => {
        deliveryError ??= error;
      })
      .finally(() => {
        flushing = undefined;
      });
  }

  try {
    for await (const delta of deltas) {
      if (delta.length === 0) continue;
      stopTyping?.();
      stopTyping = undefined;
      text += delta;
      scheduleFlush();
      // A post that failed for good (no permission, channel gone), or no time left: stop the model.
      if (deliveryError !== undefined || cutOff !== undefined) break;
    }
  } catch (error) {
    streamError = error;
  } finally {
    stopTyping?.();
    // From here every write completes the answer: one still waiting carries the whole text.
    pacing.finish();
    modelEnded.fire();
  }
  try {
    await flushing;
    if (deliveryError === undefined && cutOff === undefined && text.length > 0) {
      const note = streamError === undefined ? undefined : options.interruptedNote;
      // The final pass: every chunk, the whole answer, however long the budget makes it wait (up to
      // the deadline).
      await writeOnce(() => chunksOf(text, note), true).catch((error: unknown) => {
        deliveryError = error;
      });
    }
  } finally {
    pacing.close();
  }
  const result: StreamResult = { text };
  if (streamError !== undefined) result.error = streamError;
  if (deliveryError !== undefined) result.deliveryError = deliveryError;
  if (cutOff !== undefined) result.cutOff = cutOff;
  return result;
}

/**
 * Runs `work`, or rejects as soon as `deadline` aborts (with the deadline's reason); whatever `work`
 * does after that is dropped, never left unhandled.
 */
export function beforeDeadline<T>(work: () => Promise<T>, deadline: AbortSignal | undefined): Promise<T> {
  if (deadline === undefined) return work();
  if (deadline.aborted) return Promise.reject(deadline.reason);
  return new Promise<T>((resolve, reject) => {
    const unsubscribe = onAbort(deadline, () => reject(deadline.reason));
    work().then(resolve, reject).finally(unsubscribe);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A delay that ends early (without error) when `wake` fires. */
function pause(ms: number, wake: Latch): Promise<void> {
  if (wake.fired) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const unsubscribe = wake.on(done);
  });
}
