/**
 * The reply sink for a chat message (a mention, a reply, a DM, a thread follow-up): answers in place
 * and streams through the shared edit stream. Discord caps a message at 2000 characters, so a long
 * answer continues in new messages split at paragraphs or lines, code fences closed and reopened.
 * Every write waits for its turn in the channel's write budget (what Discord reports, shared by
 * every conversation there; see discord-pacing.ts). A Discord failure is logged and never thrown at core. When
 * troupe stops, the answer so far goes out with the interrupted note; a write that cannot be made
 * before the exit is given up (core logs it and keeps the question).
 */
import type { REST } from "discord.js";
import type { PostOptions, ReplySink, StreamReplyOptions, StreamResult } from "../../core/reply-sink.js";
import type { Logger } from "../../lib/logger.js";
import { type MessageWriter, streamToMessages } from "../shared/edit-stream.js";
import { splitText } from "../shared/split-text.js";
import { DiscordErrorCode, deliveryError, discordErrorFields, hasDiscordCode } from "./discord-errors.js";
import {
  channelBucket,
  type Pacing,
  paceAnswer,
  paceOnce,
  type WriteBuckets,
  webhookBucket,
} from "./discord-pacing.js";
import { startTyping } from "./discord-typing.js";
import type { WebhookDirectory } from "./discord-webhooks.js";
import {
  createChannelWriter,
  createWebhookWriter,
  MESSAGE_LIMIT,
  personaHeader,
  webhookFace,
} from "./discord-writers.js";

export interface MessageSinkOptions {
  rest: REST;
  pacing: Pacing;
  logger: Logger;
  /** Where the answer goes: the channel, thread or DM. */
  channelId: string;
  /** The message answered in place; unset when the answer opens a thread of its own. */
  replyTo?: string;
  /** Set when persona webhooks apply: the webhook lives on `parentId`, and posts into `threadId`. */
  webhooks?: { directory: WebhookDirectory; parentId: string; threadId?: string };
  /** The least time between two edits of one message. */
  editIntervalMs: number;
  /** PUBLIC_URL: where a persona's local picture is served, for the webhook's avatar_url. */
  publicUrl?: string;
}

interface Face {
  writer: MessageWriter<unknown>;
  buckets: WriteBuckets;
  header?: string;
}

export function createMessageSink(options: MessageSinkOptions): ReplySink {
  const { rest, pacing, channelId } = options;
  const logger = options.logger.child({ channel: channelId });
  const ownBuckets: WriteBuckets = { reportedBy: channelBucket(channelId) };

  /** The persona's webhook when there is one, else the bot's own messages with a header. */
  async function faceFor(persona: StreamReplyOptions["persona"]): Promise<Face> {
    const webhooks = options.webhooks;
    const hook = webhooks === undefined ? undefined : await webhooks.directory.get(webhooks.parentId);
    if (webhooks === undefined || hook === undefined) {
      return {
        writer: createChannelWriter(rest, channelId, options.replyTo),
        buckets: ownBuckets,
        header: personaHeader(persona),
      };
    }
    // A webhook deleted meanwhile (10015): forgotten, and made again for the next answer.
    const current = async () => (await webhooks.directory.get(webhooks.parentId)) ?? hook;
    const writer = createWebhookWriter(
      rest,
      current,
      webhookFace(persona, options.publicUrl),
      webhooks.threadId,
    );
    // Discord limits a webhook's writes per webhook: every thread of the channel shares them.
    return {
      writer: forgetOnUnknown(writer, webhooks),
      buckets: { reportedBy: webhookBucket(hook.id, hook.token), alsoCounts: [channelBucket(channelId)] },
    };
  }

  function forgetOnUnknown<Handle>(
    writer: MessageWriter<Handle>,
    webhooks: NonNullable<MessageSinkOptions["webhooks"]>,
  ): MessageWriter<Handle> {
    return {
      create: (text, signal) =>
        writer.create(text, signal).catch((error: unknown) => {
          if (hasDiscordCode(error, DiscordErrorCode.UnknownWebhook))
            webhooks.directory.forget(webhooks.parentId);
          throw error;
        }),
      edit: (handle, text, signal) => writer.edit(handle, text, signal),
    };
  }

  return {
    async post(text: string, _postOptions?: PostOptions) {
      // Plain messages have no ephemeral form: a notice or an error line is a reply everyone sees.
      const writer = createChannelWriter(rest, channelId, options.replyTo);
      try {
        for (const chunk of splitText(text, MESSAGE_LIMIT))
          await paceOnce(pacing, ownBuckets, () => writer.create(chunk));
      } catch (error) {
        logger.warn({ ...discordErrorFields(error) }, "could not post a message to Discord");
      }
    },

    async stream(deltas: AsyncIterable<string>, streamOptions: StreamReplyOptions): Promise<StreamResult> {
      const face = await faceFor(streamOptions.persona);
      let created = 0;
      // The answer's message ids: a 👍/👎 on any of them rates the answer.
      const messageIds: string[] = [];
      const writer: MessageWriter<unknown> = {
        create: async (text, signal) => {
          const handle = await face.writer.create(text, signal);
          created++;
          const id = messageIdOf(handle);
          if (id !== undefined) messageIds.push(id);
          return handle;
        },
        edit: (handle, text, signal) => face.writer.edit(handle, text, signal),
      };
      const result = await streamToMessages(deltas, {
        writer,
        pacing: paceAnswer(pacing, face.buckets, () => created === 0),
        maxLength: MESSAGE_LIMIT,
        minEditIntervalMs: options.editIntervalMs,
        header: face.header,
        interruptedNote: streamOptions.interruptedNote,
        deadline: streamOptions.deadline,
        startTyping: () =>
          startTyping(rest, channelId, (error) =>
            logger.debug({ ...discordErrorFields(error) }, "typing indicator refused"),
          ),
        onWriteError: (error, write) =>
          logger.warn(
            { write, ...discordErrorFields(error) },
            write === "edit"
              ? "could not edit an answer (deleted or archived?): continuing in a new message"
              : "could not post an answer",
          ),
      });
      return result.deliveryError === undefined
        ? { ...result, messageIds }
        : { ...result, messageIds, deliveryError: deliveryError(result.deliveryError) };
    },
  };
}

/** A writer's handle is the message id (the bot's messages) or carries it (a webhook's). */
function messageIdOf(handle: unknown): string | undefined {
  if (typeof handle === "string") return handle;
  if (typeof handle === "object" && handle !== null && "id" in handle && typeof handle.id === "string")
    return handle.id;
  return undefined;
}
