/**
 * Message events (app_mention, message.*) → the bot. Bolt acks every event before this runs (the
 * 3-second rule is met whatever the model does) but does not de-duplicate, and Slack delivers twice
 * in two ways: it retries an event it thinks was not acknowledged, and one channel mention arrives
 * both as `app_mention` and as `message`. So each event is claimed by its event_id, then by its
 * message (channel + ts), in the shared store: once across processes too when the store is shared.
 */
import type { Bot } from "../../core/bot.js";
import type { Logger } from "../../lib/logger.js";
import type { TtlCache } from "../../lib/ttl-cache.js";
import { mentionedUserIds } from "./slack-incoming-text.js";
import {
  classifyEvent,
  isDirectChannel,
  messageKey,
  replyThreadTs,
  type SlackIdentity,
  slackConversationId,
  toIncomingMessage,
} from "./slack-message-to-incoming.js";
import { loadMarkdownConverter } from "./slack-outgoing-text.js";
import { eventCallbackSchema, messageEventSchema, type SlackMessageEvent } from "./slack-payloads.js";
import { createSlackSink } from "./slack-sink.js";
import type { SinkContext } from "./slack-sink-context.js";
import { fetchThreadHistory } from "./slack-thread-history.js";
import type { UserDirectory } from "./slack-users.js";
import type { SlackApi } from "./slack-web-api.js";

export interface EventHandlerOptions {
  bot: Bot;
  api: SlackApi;
  users: UserDirectory;
  identity: SlackIdentity;
  sinkContext: SinkContext;
  /** Threads this process knows the bot is part of. */
  threads: TtlCache<true>;
  adminUsers: readonly string[];
  logger: Logger;
}

export function createEventHandler(options: EventHandlerOptions): (body: unknown) => Promise<void> {
  const { bot, identity, threads, logger } = options;

  /** The bot is part of a thread when it answered there (this process, or any with the same store). */
  async function isKnownThread(conversationId: string): Promise<boolean> {
    if (threads.has(conversationId)) return true;
    // History in the store means the bot answered there before a restart or in another process.
    const known = await bot.hasHistory(conversationId);
    if (known) threads.set(conversationId, true);
    return known;
  }

  async function seedThread(
    event: SlackMessageEvent,
    threadTs: string,
    conversationId: string,
  ): Promise<void> {
    try {
      const messages = await fetchThreadHistory({
        api: options.api,
        users: options.users,
        identity,
        channel: event.channel,
        threadTs,
        beforeTs: event.ts,
      });
      const seeded = await bot.seedThread(conversationId, messages);
      logger.debug(
        { conversation: conversationId, messages: messages.length, seeded },
        "thread history imported",
      );
    } catch (error) {
      // Answering without the earlier messages beats not answering (the API call logged its cause).
      logger.warn(
        { err: error, conversation: conversationId },
        "could not read the thread: answering without it",
      );
    }
  }

  return async (body) => {
    const envelope = eventCallbackSchema.safeParse(body);
    const parsed = envelope.success ? messageEventSchema.safeParse(envelope.data.event) : undefined;
    if (!envelope.success || !parsed?.success) {
      logger.debug(
        { issues: (parsed?.error ?? envelope.error)?.issues },
        "unexpected event payload: ignored",
      );
      return;
    }
    const event = parsed.data;
    const { team_id: teamId, event_id: eventId } = envelope.data;
    const decision = classifyEvent(event, identity);
    if (decision.kind === "ignore") return;

    const threadTs = replyThreadTs(event);
    const conversationId = slackConversationId(teamId, event.channel, threadTs);
    if (decision.kind === "thread-reply" && !(await isKnownThread(conversationId))) return;
    if (!(await bot.claimEvent(eventId))) {
      logger.debug({ eventId }, "event already handled (a Slack retry): ignored");
      return;
    }
    if (!(await bot.claimEvent(messageKey(teamId, event)))) {
      logger.debug({ eventId, ts: event.ts }, "message already handled (app_mention + message): ignored");
      return;
    }

    const ids = [...(event.user ? [event.user] : []), ...mentionedUserIds(event.text)];
    const names = await options.users.names(ids.filter((id) => id !== identity.botUserId));
    const message = toIncomingMessage(event, {
      teamId,
      botUserId: identity.botUserId,
      names,
      adminUsers: options.adminUsers,
    });
    const joinedMidThread = event.thread_ts !== undefined && event.thread_ts !== event.ts;
    if (decision.kind === "mention" && joinedMidThread && threadTs !== undefined) {
      if (!(await isKnownThread(conversationId))) await seedThread(event, threadTs, conversationId);
    }
    threads.set(conversationId, true);

    const direct = isDirectChannel(event);
    await loadMarkdownConverter();
    const sink = createSlackSink(options.sinkContext, {
      channel: event.channel,
      threadTs,
      userId: message.author.id,
      // Slack offers the "thinking" status in the bot's DMs (assistant threads), keyed by thread.
      statusThreadTs: direct ? (event.thread_ts ?? event.ts) : undefined,
    });
    await bot.handleMessage(message, sink);
  };
}
