/**
 * The Slack ReplySink: short posts (ephemeral or visible) and streamed answers, in a channel's
 * thread or a DM. Everything goes out as mrkdwn converted from the model's Markdown and escaped.
 */
import type { ReplySink } from "../../core/reply-sink.js";
import { splitText } from "../shared/split-text.js";
import { SLACK_TEXT_LIMIT, type StreamTarget, streamClassic } from "./slack-classic-stream.js";
import { streamNative } from "./slack-native-stream.js";
import { markdownToMrkdwn } from "./slack-outgoing-text.js";
import type { SinkContext } from "./slack-sink-context.js";
import { createThinkingStatus } from "./slack-status.js";

export interface SinkTarget extends StreamTarget {
  /** Show "is thinking…" on this assistant thread until the answer starts. */
  statusThreadTs?: string;
}

/** A slash command answers through its response_url instead (it works where the bot is not a member). */
export interface SinkOverrides {
  ephemeral?: (mrkdwn: string) => Promise<void>;
  visible?: (mrkdwn: string) => Promise<void>;
}

export function createSlackSink(
  context: SinkContext,
  target: SinkTarget,
  overrides: SinkOverrides = {},
): ReplySink {
  const { api } = context;
  const { channel, threadTs, userId } = target;
  const status =
    target.statusThreadTs === undefined
      ? undefined
      : createThinkingStatus(context, channel, target.statusThreadTs);

  const ephemeral =
    overrides.ephemeral ??
    (async (text: string) => {
      await api.call("chat.postEphemeral", { channel, user: userId, thread_ts: threadTs, text });
    });
  const visible =
    overrides.visible ??
    (async (text: string) => {
      await api.call("chat.postMessage", { channel, thread_ts: threadTs, text, unfurl_links: false });
    });

  return {
    async post(text, options = {}) {
      for (const chunk of splitText(markdownToMrkdwn(text), SLACK_TEXT_LIMIT)) {
        await (options.ephemeral ? ephemeral(chunk) : visible(chunk));
      }
    },
    stream(deltas, options) {
      const classic = (input: AsyncIterable<string>) =>
        streamClassic(context, target, input, options, status);
      // Native streams must be thread replies; a DM answered in place uses post-and-update.
      if (context.nativeStreaming && !context.native.broken && threadTs !== undefined) {
        return streamNative(context, { channel, threadTs, userId }, deltas, options, classic, status);
      }
      return classic(deltas);
    },
  };
}
