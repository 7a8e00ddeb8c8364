/**
 * The "is thinking…" status of an assistant thread (assistant.threads.setStatus), shown while the
 * model has not said anything yet. Slack clears it by itself when the bot replies in the thread (or
 * after two minutes); it is cleared here only when no answer came. Best effort: a workspace or
 * channel without the feature logs at debug, and that channel is not asked again for an hour.
 */
import type { SinkContext } from "./slack-sink-context.js";

export interface ThinkingStatus {
  start(): () => void;
  /** Call when the answer ended without any message: takes the status down. */
  clear(): void;
}

export function createThinkingStatus(
  context: SinkContext,
  channel: string,
  threadTs: string,
): ThinkingStatus {
  let shown = false;
  const set = (status: string) =>
    context.api
      .call(
        "assistant.threads.setStatus",
        { channel_id: channel, thread_ts: threadTs, status },
        { quiet: true },
      )
      .catch(() => {
        context.statusOff.set(channel, true);
      });
  return {
    start() {
      if (!context.statusOff.has(channel)) {
        shown = true;
        void set("is thinking…");
      }
      return () => {};
    },
    clear() {
      if (shown) void set("");
    },
  };
}
