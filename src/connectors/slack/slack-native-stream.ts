/**
 * An answer streamed with Slack's own text streaming (SLACK_NATIVE_STREAMING=true):
 * chat.startStream on the first text, chat.appendStream as it grows, chat.stopStream at the end.
 * The text is standard Markdown (`markdown_text`), neutralized so it cannot mention anyone.
 *
 * Slack quirks: a stream must be a reply in a thread; startStream and stopStream are Tier 2 (about
 * 20 a minute per workspace), appendStream Tier 4; `markdown_text` holds at most 12,000 characters,
 * so a longer answer continues in a new streamed message. When streaming is refused (an old
 * workspace, a missing scope, the Tier 2 limit) the answer goes on with post-and-update.
 */
import type { StreamReplyOptions, StreamResult } from "../../core/reply-sink.js";
import { beforeDeadline } from "../shared/edit-stream.js";
import { describeSlackError } from "./slack-errors.js";
import { neutralizeMarkdownText, unsafeTailLength } from "./slack-outgoing-text.js";
import { postedMessageSchema } from "./slack-payloads.js";
import { personaFace } from "./slack-persona-face.js";
import type { SinkContext } from "./slack-sink-context.js";
import type { ThinkingStatus } from "./slack-status.js";

const MAX_STREAM_CHARS = 11_000;
/** Codes that mean native streaming will never work here: stop trying it. */
const UNSUPPORTED = new Set([
  "unknown_method",
  "not_allowed_token_type",
  "missing_scope",
  "method_deprecated",
  "invalid_arguments",
  "feature_not_enabled",
]);

export interface NativeTarget {
  channel: string;
  threadTs: string;
  userId: string;
}

export type Fallback = (deltas: AsyncIterable<string>) => Promise<StreamResult>;

async function* continueWith(prefix: string, iterator: AsyncIterator<string>, error?: unknown) {
  if (prefix.length > 0) yield prefix;
  if (error !== undefined) throw error;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield next.value;
  }
}

export async function streamNative(
  context: SinkContext,
  target: NativeTarget,
  deltas: AsyncIterable<string>,
  options: StreamReplyOptions,
  fallback: Fallback,
  status?: ThinkingStatus,
): Promise<StreamResult> {
  const { api, teamId } = context;
  const { channel, threadTs, userId } = target;
  const face = personaFace(options.persona, context.canCustomize, context.publicUrl);
  const iterator = deltas[Symbol.asyncIterator]();
  let text = "";
  let sent = 0;
  let current: { ts: string; length: number } | undefined;
  /** `<channel>:<ts>` of each message the answer streamed into: a reaction names one of them. */
  const messageIds: string[] = [];
  let writeError: unknown;
  let streamError: unknown;
  let flushing: Promise<void> | undefined;
  let lastFlushAt = Number.NEGATIVE_INFINITY;
  let stopStatus = status?.start();

  async function stopCurrent(note?: string): Promise<void> {
    if (current === undefined) return;
    const ts = current.ts;
    current = undefined;
    await api.call("chat.stopStream", { channel, ts, ...(note ? { markdown_text: note } : {}) });
  }

  async function write(markdown: string): Promise<void> {
    if (current !== undefined && current.length + markdown.length > MAX_STREAM_CHARS) await stopCurrent();
    if (current === undefined) {
      const started = await api.call(
        "chat.startStream",
        {
          channel,
          thread_ts: threadTs,
          // "Required when streaming to channels": who asked, in which workspace.
          recipient_user_id: userId,
          recipient_team_id: teamId,
          markdown_text: `${face.markdownHeader ?? ""}${markdown}`,
          ...face.identity,
        },
        { onRateLimit: "fail" },
      );
      current = { ts: postedMessageSchema.parse(started).ts, length: markdown.length };
      messageIds.push(`${channel}:${current.ts}`);
      return;
    }
    await context.appendBudget.acquire(teamId, options.deadline);
    await api.call("chat.appendStream", { channel, ts: current.ts, markdown_text: markdown });
    current.length += markdown.length;
  }

  async function flush(final: boolean): Promise<void> {
    const pending = text.slice(sent);
    // Hold back a tail like "<" or "&lt" that the next piece could complete into "<!channel>".
    const end = text.length - (final ? 0 : unsafeTailLength(pending));
    if (end <= sent) return;
    const markdown = neutralizeMarkdownText(text.slice(sent, end));
    for (let from = 0; from < markdown.length; from += MAX_STREAM_CHARS) {
      await write(markdown.slice(from, from + MAX_STREAM_CHARS));
    }
    sent = end;
  }

  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      if (next.value.length === 0) continue;
      stopStatus?.();
      stopStatus = undefined;
      text += next.value;
      if (flushing === undefined && Date.now() - lastFlushAt >= context.updateIntervalMs) {
        flushing = flush(false)
          .catch((error: unknown) => {
            writeError = error;
          })
          .finally(() => {
            flushing = undefined;
            lastFlushAt = Date.now();
          });
      }
      if (writeError !== undefined) break;
    }
  } catch (error) {
    streamError = error;
  } finally {
    stopStatus?.();
  }
  // The last writes, given up if troupe must exit first (the deadline): the log then says so.
  const finished = await beforeDeadline(async () => {
    await flushing;
    if (writeError !== undefined) return;
    try {
      await flush(true);
      const note = streamError !== undefined && text.length > 0 ? ` ${options.interruptedNote}` : undefined;
      await stopCurrent(note);
    } catch (error) {
      writeError = error;
    }
  }, options.deadline).then(
    () => true,
    () => false,
  );
  if (!finished) {
    const cutOff = current === undefined && sent === 0 ? "first-post" : "last-edit";
    return streamError === undefined ? { text, cutOff } : { text, error: streamError, cutOff };
  }
  if (writeError === undefined) {
    if (sent === 0) status?.clear();
    return streamError === undefined ? { text, messageIds } : { text, error: streamError, messageIds };
  }

  // Streaming was refused: finish what was started, then go on with post-and-update.
  const { code } = describeSlackError(writeError);
  if (UNSUPPORTED.has(code)) context.native.broken = true;
  context.logger.warn(
    { code, channel, sentChars: sent },
    "native streaming failed: answering with post-and-update",
  );
  await stopCurrent().catch(() => {});
  const rest = await fallback(continueWith(text.slice(sent), iterator, streamError));
  const result: StreamResult = {
    text: text.slice(0, sent) + rest.text,
    messageIds: [...messageIds, ...(rest.messageIds ?? [])],
  };
  if (rest.error !== undefined) result.error = rest.error;
  if (rest.deliveryError !== undefined) result.deliveryError = rest.deliveryError;
  return result;
}
