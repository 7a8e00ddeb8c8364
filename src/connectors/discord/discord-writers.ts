/**
 * The two ways an answer reaches a channel, as MessageWriters for the shared edit stream: the bot's
 * own messages, and a channel webhook wearing the persona's name and avatar. Every write says
 * `allowed_mentions: { parse: [] }` itself (the client-wide default covers only discord.js's own
 * senders, and these go straight through REST): an "@everyone" the model writes stays plain text.
 * A write given up (troupe exiting) is aborted in discord.js's queue, so it never posts late.
 */
import { type REST, Routes } from "discord.js";
import type { MessageWriter } from "../shared/edit-stream.js";
import { personaAvatarUrl } from "../shared/persona-avatar-url.js";
import { createdMessageSchema } from "./discord-payloads.js";
import type { PersonaWebhook } from "./discord-webhooks.js";

/** Discord's cap on a message's content. */
export const MESSAGE_LIMIT = 2000;

const NO_PINGS = { parse: [] as string[] };

/**
 * Posts as the bot in `channelId`. The first message answers `replyTo` in place (a reply that does
 * not ping its author, and is posted plainly if that message was deleted meanwhile); the messages a
 * long answer continues in follow it without a reference.
 */
export function createChannelWriter(rest: REST, channelId: string, replyTo?: string): MessageWriter<string> {
  let replied = false;
  return {
    async create(text, signal) {
      const reference = replyTo !== undefined && !replied;
      const body = {
        content: text,
        allowed_mentions: reference ? { ...NO_PINGS, replied_user: false } : NO_PINGS,
        ...(reference ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } } : {}),
      };
      const created = createdMessageSchema.parse(
        await rest.post(Routes.channelMessages(channelId), { body, signal }),
      );
      replied = true;
      return created.id;
    },
    async edit(messageId, text, signal) {
      await rest.patch(Routes.channelMessage(channelId, messageId), {
        body: { content: text, allowed_mentions: NO_PINGS },
        signal,
      });
    },
  };
}

export interface WebhookFace {
  username: string;
  avatarUrl?: string;
}

/**
 * Posts through the channel's webhook with the persona's face. Webhook calls carry their own token,
 * so they go without the bot's authorization; `thread_id` targets a thread of the webhook's channel.
 */
export function createWebhookWriter(
  rest: REST,
  webhook: () => Promise<PersonaWebhook>,
  face: WebhookFace,
  threadId?: string,
): MessageWriter<{ hook: PersonaWebhook; id: string }> {
  const query = (extra: Record<string, string> = {}) =>
    new URLSearchParams({ ...extra, ...(threadId === undefined ? {} : { thread_id: threadId }) });
  return {
    async create(text, signal) {
      const hook = await webhook();
      const response = await rest.post(Routes.webhook(hook.id, hook.token), {
        auth: false,
        signal,
        query: query({ wait: "true" }),
        body: {
          content: text,
          username: face.username,
          ...(face.avatarUrl === undefined ? {} : { avatar_url: face.avatarUrl }),
          allowed_mentions: NO_PINGS,
        },
      });
      return { hook, id: createdMessageSchema.parse(response).id };
    },
    async edit(handle, text, signal) {
      await rest.patch(Routes.webhookMessage(handle.hook.id, handle.hook.token, handle.id), {
        auth: false,
        signal,
        query: query(),
        body: { content: text, allowed_mentions: NO_PINGS },
      });
    },
  };
}

/**
 * A webhook's username: at most 80 characters, and Discord refuses names containing "discord" or
 * "clyde", so those get a zero-width space inside.
 */
export function webhookFace(
  persona: { displayName: string; avatar?: string; avatarFile?: string },
  publicUrl?: string,
): WebhookFace {
  const username = persona.displayName.replace(/(d)(iscord)|(c)(lyde)/gi, "$1$3\u200b$2$4").slice(0, 80);
  const avatarUrl = personaAvatarUrl(persona, publicUrl);
  return avatarUrl === undefined ? { username } : { username, avatarUrl };
}

/** Heads an answer posted as the bot itself, so people see which persona speaks. */
export function personaHeader(persona: { displayName: string; emoji?: string }): string {
  return `**${persona.emoji ? `${persona.emoji} ` : ""}${persona.displayName}**\n`;
}
