/**
 * The parts of Discord's raw payloads the connector reads itself, validated with zod: a
 * MESSAGE_CREATE dispatch from the gateway, and the few REST responses it parses. Unknown fields
 * pass through untouched (Discord adds fields often), missing optional ones get a safe default.
 */
import { z } from "zod";

/** Discord ids are snowflakes (digits): never empty, and never a `:` that would blur a conversation id. */
const snowflake = z.string().regex(/^\d{1,25}$/);

const user = z.looseObject({
  id: snowflake,
  /** Never empty: it is the name of last resort. */
  username: z.string().min(1),
  /** The display name a user chose; null when they kept their username. */
  global_name: z.string().nullish(),
  bot: z.boolean().optional(),
  system: z.boolean().optional(),
});

const member = z.looseObject({
  /** The server nickname, which wins over the user's own display name. */
  nick: z.string().nullish(),
  roles: z.array(snowflake).default([]),
});

const attachment = z.looseObject({
  filename: z.string().min(1),
  url: z.string().min(1),
  content_type: z.string().optional(),
});

/** MESSAGE_CREATE: a message object plus the gateway's extra fields (`guild_id`, `member`, mentions' members). */
const messageCreateSchema = z.looseObject({
  id: snowflake,
  channel_id: snowflake,
  guild_id: snowflake.optional(),
  type: z.number(),
  content: z.string(),
  author: user,
  member: member.optional(),
  webhook_id: snowflake.optional(),
  mentions: z.array(user.extend({ member: member.optional() })).default([]),
  mention_roles: z.array(snowflake).default([]),
  attachments: z.array(attachment).default([]),
  /** Present on replies; null when the message replied to was deleted. */
  referenced_message: z
    .looseObject({ id: snowflake, author: user, webhook_id: snowflake.optional() })
    .nullish(),
});

export type MessagePayload = z.infer<typeof messageCreateSchema>;
export type PayloadUser = z.infer<typeof user>;
export type PayloadMember = z.infer<typeof member>;

/** Reads a MESSAGE_CREATE payload; undefined for one that does not have the shape of a message. */
export function readMessagePayload(data: unknown): MessagePayload | undefined {
  const parsed = messageCreateSchema.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}

/** A message as REST returns it after a create: only its id is needed (to edit it later). */
export const createdMessageSchema = z.looseObject({ id: z.string() });

/** A channel webhook as `GET /channels/{id}/webhooks` and `POST /channels/{id}/webhooks` return it. */
export const webhookSchema = z.looseObject({
  id: z.string(),
  /** 1 incoming, 2 channel follower, 3 application (interactions). */
  type: z.number(),
  token: z.string().optional(),
  application_id: z.string().nullish(),
});
export type WebhookPayload = z.infer<typeof webhookSchema>;

export const applicationSchema = z.looseObject({ id: z.string(), name: z.string().optional() });
export const threadSchema = z.looseObject({ id: z.string() });
