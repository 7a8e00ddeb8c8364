/**
 * One webhook per channel, owned by this app, through which every persona posts with its own name
 * and avatar: one bot, many faces. Found (or created) once per channel and remembered. A channel
 * where the bot lacks Manage Webhooks gets no webhook: answers there fall back to the bot's own
 * messages with the persona's header, and the log says so once per channel.
 */
import { type REST, Routes } from "discord.js";
import type { Logger } from "../../lib/logger.js";
import { createTtlCache } from "../../lib/ttl-cache.js";
import { discordErrorFields } from "./discord-errors.js";
import { type WebhookPayload, webhookSchema } from "./discord-payloads.js";

export interface PersonaWebhook {
  id: string;
  token: string;
}

export interface WebhookDirectory {
  /** The app's webhook in `channelId` (a thread's parent), created if missing; undefined where there can be none. */
  get(channelId: string): Promise<PersonaWebhook | undefined>;
  /** Drops a webhook found deleted, so the next get() makes a new one. */
  forget(channelId: string): void;
  isOwn(webhookId: string): boolean;
}

export interface WebhookDirectoryOptions {
  rest: REST;
  logger: Logger;
  applicationId: () => string | undefined;
  /** How long a channel that refused a webhook is left alone before trying again. */
  retryAfterMs?: number;
}

const WEBHOOK_NAME = "troupe personas";
/** An incoming webhook: the kind that has a token and can post. */
const INCOMING = 1;

export function createWebhookDirectory(options: WebhookDirectoryOptions): WebhookDirectory {
  const { rest, logger } = options;
  const retryAfterMs = options.retryAfterMs ?? 10 * 60_000;
  const byChannel = createTtlCache<Promise<PersonaWebhook | undefined>>({ maxEntries: 5_000 });
  const ownIds = createTtlCache<true>({ maxEntries: 5_000 });
  /** Channels that refused a webhook lately: asked again only after `retryAfterMs`. */
  const refused = createTtlCache<true>({ maxEntries: 5_000 });
  /** Channels already warned about, so a missing permission is said once, not at every answer. */
  const warned = createTtlCache<true>({ maxEntries: 5_000 });

  function owned(webhook: WebhookPayload): webhook is WebhookPayload & { token: string } {
    return (
      webhook.type === INCOMING &&
      webhook.token !== undefined &&
      webhook.application_id === options.applicationId()
    );
  }

  async function findOrCreate(channelId: string): Promise<PersonaWebhook | undefined> {
    try {
      const existing = webhookSchema
        .array()
        .parse(await rest.get(Routes.channelWebhooks(channelId)))
        .find(owned);
      const webhook =
        existing ??
        webhookSchema.parse(
          await rest.post(Routes.channelWebhooks(channelId), { body: { name: WEBHOOK_NAME } }),
        );
      if (webhook.token === undefined) throw new Error("Discord returned a webhook without a token");
      ownIds.set(webhook.id, true);
      logger.debug({ channel: channelId, webhook: webhook.id, created: !existing }, "persona webhook ready");
      return { id: webhook.id, token: webhook.token };
    } catch (error) {
      // Usually Manage Webhooks is missing, or the channel has its 15 webhooks already.
      if (!warned.has(channelId)) {
        logger.warn(
          { channel: channelId, ...discordErrorFields(error) },
          "persona webhooks unavailable in this channel (does the bot have Manage Webhooks?): answering with a header instead",
        );
      }
      warned.set(channelId, true);
      refused.set(channelId, true, retryAfterMs);
      byChannel.delete(channelId);
      return undefined;
    }
  }

  return {
    get(channelId) {
      if (refused.has(channelId)) return Promise.resolve(undefined);
      const known = byChannel.get(channelId);
      if (known) return known;
      const lookup = findOrCreate(channelId);
      byChannel.set(channelId, lookup);
      return lookup;
    },
    forget(channelId) {
      byChannel.delete(channelId);
    },
    isOwn: (webhookId) => ownIds.has(webhookId),
  };
}
