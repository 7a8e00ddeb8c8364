/**
 * zod schemas for the Slack payloads this connector reads: Events API envelopes and message events,
 * slash command bodies, and the few Web API results it uses. Slack adds fields often, and a new
 * field must never make the bot drop an event: loose objects keep them. The three checked on every
 * answered mention (the envelope, its event, the reply to our own post) are plain objects instead,
 * which accept the same payloads but keep only the fields read: a loose object copies every field
 * of Slack's payload (blocks, authorizations, the posted message) into its result, each time.
 */
import { z } from "zod";

/** Ids and timestamps: never empty (an empty one would make a conversation id like `slack:T::`). */
const id = z.string().min(1);

const fileSchema = z.looseObject({
  name: z.string().optional(),
  title: z.string().optional(),
  url_private: z.string().optional(),
  mimetype: z.string().optional(),
});

/** `app_mention` and `message` events (message.channels / .groups / .im / .mpim). */
export const messageEventSchema = z.object({
  type: z.enum(["app_mention", "message"]),
  channel: id,
  user: id.optional(),
  text: z.string().optional().default(""),
  ts: id,
  thread_ts: id.optional(),
  /** Only on `message` events: channel, group, im, mpim. */
  channel_type: z.string().optional(),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
  files: z.array(fileSchema).optional(),
});
export type SlackMessageEvent = z.infer<typeof messageEventSchema>;

/** The Events API body (`event_callback`), the same over HTTP and inside a Socket Mode envelope. */
export const eventCallbackSchema = z.object({
  team_id: id,
  event_id: id,
  event: z.unknown(),
});

export const slashCommandSchema = z.looseObject({
  command: id,
  text: z.string().optional().default(""),
  user_id: id,
  user_name: z.string().optional(),
  team_id: id,
  channel_id: id,
  channel_name: z.string().optional(),
  response_url: z.string(),
  /** Unique per invocation: names a command delivered twice (a retried envelope, a replayed request). */
  trigger_id: z.string().min(1).optional(),
});
export type SlashCommandPayload = z.infer<typeof slashCommandSchema>;

export const authTestSchema = z.looseObject({
  user_id: z.string(),
  bot_id: z.string().optional(),
  team_id: z.string(),
  team: z.string().optional(),
  user: z.string().optional(),
  response_metadata: z.looseObject({ scopes: z.array(z.string()).optional() }).optional(),
});

export const postedMessageSchema = z.object({ ts: z.string() });

export const threadRepliesSchema = z.looseObject({
  messages: z
    .array(
      z.looseObject({
        ts: z.string(),
        user: z.string().optional(),
        bot_id: z.string().optional(),
        subtype: z.string().optional(),
        text: z.string().optional().default(""),
        username: z.string().optional(),
        bot_profile: z.looseObject({ name: z.string().optional() }).optional(),
      }),
    )
    .default([]),
});
export type SlackThreadReply = z.infer<typeof threadRepliesSchema>["messages"][number];

export const userInfoSchema = z.looseObject({
  user: z.looseObject({
    id: z.string(),
    name: z.string().optional(),
    real_name: z.string().optional(),
    profile: z
      .looseObject({ display_name: z.string().optional(), real_name: z.string().optional() })
      .optional(),
  }),
});
