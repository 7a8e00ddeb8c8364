/**
 * Streams a growing answer into platform messages: the first message goes out as soon as the first
 * text arrives, then grows by edits paced by a shared write budget and a minimum gap per message;
 * past the platform's length limit the text continues in a new message (split by splitText). The
 * last edit always holds the whole answer. Used by every platform connector.
 */
import type { StreamResult } from "../../core/reply-sink.js";
import { splitText } from "./split-text.js";
import type { WriteBudget } from "./write-budget.js";

export interface MessageWriter<Handle> {
  /** Posts a new message and returns what `edit` needs to change it. */
  create(text: string): Promise<Handle>;
  edit(handle: Handle, text: string): Promise<void>;
}

export interface EditStreamOptions<Handle> {
  writer: MessageWriter<Handle>;
  budget: WriteBudget;
  /** The budget's scope: a Discord channel, a Slack workspace. */
  budgetKey: string;
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
}

interface Sent<Handle> {
  handle?: Handle;
  text: string;
  at: number;
}

/** Consumes `deltas` to the end (or until a post fails for good) and delivers them. */
export async function streamToMessages<Handle>(
  deltas: AsyncIterable<string>,
  options: EditStreamOptions<Handle>,
): Promise<StreamResult> {
  const render = options.render ?? ((text: string) => text);
  const sent: Sent<Handle>[] = [];
  let text = "";
  let streamError: unknown;
  let deliveryError: unknown;
  let flushing: Promise<void> | undefined;
  let stopTyping = options.startTyping?.();

  function chunksOf(body: string, note?: string): string[] {
    const full = `${options.header ?? ""}${render(body)}${note ? ` ${note}` : ""}`;
    return splitText(full, options.maxLength);
  }

  /** One pass: writes every chunk that changed, each write waiting for the budget. */
  async function writeOnce(chunks: () => string[], final: boolean): Promise<void> {
    for (let index = 0; ; index++) {
      const current = chunks();
      const chunk = current[index];
      if (chunk === undefined) return;
      const previous = sent[index];
      if (previous?.text === chunk && previous.handle !== undefined) continue;
      // A message edited moments ago: mid-stream it waits for the next pass; the final pass waits
      // out the interval, so even the last edit keeps the pace.
      const since = previous?.handle === undefined ? Number.POSITIVE_INFINITY : Date.now() - previous.at;
      if (since < options.minEditIntervalMs) {
        if (!final) continue;
        await delay(options.minEditIntervalMs - since);
      }
      await options.budget.acquire(options.budgetKey);
      // Render again after the wait: the text has grown, and the write should carry all of it.
      const latest = chunks()[index] ?? chunk;
      if (previous?.handle !== undefined) {
        try {
          await options.writer.edit(previous.handle, latest);
          sent[index] = { handle: previous.handle, text: latest, at: Date.now() };
          continue;
        } catch (error) {
          // The message is gone (deleted, archived thread…): continue in a new one.
          options.onWriteError?.(error, "edit");
        }
      }
      try {
        sent[index] = { handle: await options.writer.create(latest), text: latest, at: Date.now() };
      } catch (error) {
        options.onWriteError?.(error, "create");
        deliveryError = error;
        return;
      }
    }
  }

  function upToDate(): boolean {
    return chunksOf(text).every((chunk, index) => sent[index]?.text === chunk);
  }

  /** Keeps writing while the text runs ahead of what people see, paced by the edit interval. */
  function scheduleFlush(): void {
    if (flushing) return;
    flushing = (async () => {
      while (deliveryError === undefined) {
        await writeOnce(() => chunksOf(text), false);
        if (upToDate()) break;
        await delay(Math.min(options.minEditIntervalMs, 250));
      }
      flushing = undefined;
    })();
  }

  try {
    for await (const delta of deltas) {
      if (delta.length === 0) continue;
      stopTyping?.();
      stopTyping = undefined;
      text += delta;
      scheduleFlush();
      // A post that failed for good (no permission, channel gone): stop the model, nobody can read it.
      if (deliveryError !== undefined) break;
    }
  } catch (error) {
    streamError = error;
  } finally {
    stopTyping?.();
  }
  await flushing;
  if (deliveryError === undefined && text.length > 0) {
    const note = streamError === undefined ? undefined : options.interruptedNote;
    // The final pass: every chunk, the whole answer, however long the budget makes it wait.
    await writeOnce(() => chunksOf(text, note), true);
  }
  const result: StreamResult = { text };
  if (streamError !== undefined) result.error = streamError;
  if (deliveryError !== undefined) result.deliveryError = deliveryError;
  return result;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
