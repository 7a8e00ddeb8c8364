/**
 * Chat messages: a MESSAGE_CREATE from the gateway becomes an answer when the bot is addressed (a
 * DM, a mention, a reply to the bot, a follow-up in a thread the bot is in). With auto-threads a
 * mention in a channel opens a thread named after the question, and the conversation moves there.
 */
import type { REST } from "discord.js";
import type { Bot } from "../../core/bot.js";
import type { Logger } from "../../lib/logger.js";
import type { ContextReader } from "./discord-incoming-context.js";
import { threadName } from "./discord-incoming-text.js";
import { createMessageSink } from "./discord-message-sink.js";
import { addressing, moveToThread, toIncomingMessage } from "./discord-message-to-incoming.js";
import type { Pacing } from "./discord-pacing.js";
import type { MessagePayload } from "./discord-payloads.js";
import type { Threads } from "./discord-threads.js";
import type { WebhookDirectory } from "./discord-webhooks.js";

export interface MessageHandlerOptions {
  bot: Bot;
  logger: Logger;
  rest: REST;
  pacing: Pacing;
  context: ContextReader;
  threads: Threads;
  /** Set when persona webhooks are on. */
  webhooks?: WebhookDirectory;
  autoThread: boolean;
  editIntervalMs: number;
  /** PUBLIC_URL: a persona's local picture is its webhook avatar there. */
  publicUrl?: string;
}

export function createMessageHandler(options: MessageHandlerOptions) {
  const { bot, threads } = options;
  const logger = options.logger.child({ event: "message" });
  let warnedUnreadable = false;

  return async function handleMessage(payload: MessagePayload): Promise<void> {
    // Most messages in a server are not for the bot: decide from the cache alone first.
    let context = await options.context.read(payload);
    let why = addressing(payload, context);
    if (why === undefined) return;
    context = await options.context.read(payload, { fetchUnknown: true });
    why = addressing(payload, context) ?? why;
    const place = context.place;
    let message = toIncomingMessage(payload, {
      ...context,
      permissions: options.context.permissions(payload, place),
    });

    // Without the Message Content intent Discord sends these without their text: nothing to answer.
    if ((why === "thread" || why === "reply") && message.text === "" && message.attachments.length === 0) {
      if (!warnedUnreadable) {
        warnedUnreadable = true;
        logger.info(
          "a thread follow-up or reply arrived without its text: switch on the Message Content intent to answer those without a mention",
        );
      }
      return;
    }
    // A rolling deploy can run two sessions of one shard for a moment: answer once.
    if (!(await bot.claimEvent(`discord:message:${payload.id}`))) {
      logger.debug({ message: payload.id }, "message already handled (another gateway session): ignored");
      return;
    }

    let channelId = payload.channel_id;
    let replyTo: string | undefined = payload.id;
    if (options.autoThread && why === "mention" && place.kind === "channel" && place.canOpenThreads) {
      const threadId = await threads.open(
        payload.channel_id,
        payload.id,
        threadName(message.text, message.author.name),
      );
      if (threadId !== undefined) {
        message = moveToThread(message, threadId);
        channelId = threadId;
        replyTo = undefined;
      }
    } else if (place.kind === "thread" && !place.botIsMember) {
      threads.join(place.id);
    }

    const sink = createMessageSink({
      rest: options.rest,
      pacing: options.pacing,
      logger,
      channelId,
      replyTo,
      editIntervalMs: options.editIntervalMs,
      publicUrl: options.publicUrl,
      // Webhooks live on server channels; a thread posts through its parent's.
      webhooks:
        options.webhooks === undefined || message.serverId === undefined
          ? undefined
          : { directory: options.webhooks, parentId: message.channelId, threadId: message.threadId },
    });
    await bot.handleMessage(message, sink);
  };
}
