/**
 * An answer streamed the classic way: a first chat.postMessage as soon as text arrives, then
 * chat.update as it grows, through the shared streamToMessages (splitting, final edit), paced by
 * slack-answer-pacing.ts (while the workspace's updates are spoken for, the first post waits for
 * the whole answer).
 *
 * Slack quirks: `thread_ts` must be passed on every post (Bolt's say() does not thread); chat.update
 * is Tier 3 (about 50 a minute per workspace) and refuses `text` over 4,000 characters, so chunks
 * stay under 3,900 after conversion to mrkdwn; links are not unfurled (a model's links would fill
 * the thread with previews).
 */
import type { StreamReplyOptions, StreamResult } from "../../core/reply-sink.js";
import { type MessageWriter, streamToMessages } from "../shared/edit-stream.js";
import { paceSlackAnswer } from "./slack-answer-pacing.js";
import { markdownToMrkdwn } from "./slack-outgoing-text.js";
import { postedMessageSchema } from "./slack-payloads.js";
import { personaFace } from "./slack-persona-face.js";
import type { SinkContext } from "./slack-sink-context.js";
import type { ThinkingStatus } from "./slack-status.js";

/** Under chat.update's 4,000-character limit on `text`, with room for the interrupted note. */
export const SLACK_TEXT_LIMIT = 3_900;

export interface StreamTarget {
  channel: string;
  threadTs?: string;
  userId: string;
}

/** Renders the same growing text many times per pass: remember the last conversion. */
function memoized(render: (text: string) => string): (text: string) => string {
  let lastInput: string | undefined;
  let lastOutput = "";
  return (text) => {
    if (text !== lastInput) {
      lastInput = text;
      lastOutput = render(text);
    }
    return lastOutput;
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function streamClassic(
  context: SinkContext,
  target: StreamTarget,
  deltas: AsyncIterable<string>,
  options: StreamReplyOptions,
  status?: ThinkingStatus,
): Promise<StreamResult> {
  const face = personaFace(options.persona, context.canCustomize, context.publicUrl);
  const { channel, threadTs } = target;
  let created = false;
  /** When each message was last written (after Slack answered), for the pace of its updates. */
  const lastWrite = new Map<string, number>();
  /** `<channel>:<ts>` of each message of the answer: a reaction names one of them. */
  const messageIds: string[] = [];

  const writer: MessageWriter<string> = {
    async create(text) {
      const result = await context.api.call("chat.postMessage", {
        channel,
        thread_ts: threadTs,
        text,
        ...face.identity,
        unfurl_links: false,
        unfurl_media: false,
      });
      const { ts } = postedMessageSchema.parse(result);
      created = true;
      messageIds.push(`${channel}:${ts}`);
      lastWrite.set(ts, performance.now());
      return ts;
    },
    async edit(ts, text) {
      // The final edit of an answer is not held back by the stream's pacing: hold it here, so no
      // message is ever updated faster than SLACK_UPDATE_INTERVAL_MS.
      const wait = (lastWrite.get(ts) ?? 0) + context.updateIntervalMs - performance.now();
      if (wait > 0) await delay(Math.ceil(wait));
      await context.api.call("chat.update", { channel, ts, text });
      lastWrite.set(ts, performance.now());
    },
  };

  const result = await streamToMessages(deltas, {
    writer,
    // The first message on the channel's post budget, later writes on the workspace's update budget.
    pacing: paceSlackAnswer(context, channel),
    maxLength: SLACK_TEXT_LIMIT,
    minEditIntervalMs: context.updateIntervalMs,
    header: face.header,
    render: memoized(markdownToMrkdwn),
    interruptedNote: options.interruptedNote,
    deadline: options.deadline,
    startTyping: status === undefined ? undefined : () => status.start(),
    onWriteError: (error, write) =>
      context.logger.debug({ err: error, write, channel }, "a streamed write failed (logged by slack-api)"),
  });
  if (!created) status?.clear();
  return { ...result, messageIds };
}
