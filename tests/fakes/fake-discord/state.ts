/**
 * What the REST routes share: the world, the gateway to announce new messages on, the write budget,
 * the interactions in flight, the registered commands, and the record of every message write (who
 * wrote where, with what `allowed_mentions`, and whom it would have pinged).
 */
import { z } from "zod";
import type { FakeGateway } from "./gateway.js";
import { discordError, type RouteResult } from "./http.js";
import { messageJson } from "./json.js";
import { type AllowedMentions, allowedMentionsSchema, pingsOf } from "./mentions.js";
import type { WriteRateLimiter } from "./rate-limit.js";
import type { FakeMessage, World } from "./world.js";

export interface FakeInteraction {
  id: string;
  token: string;
  type: number;
  channelId: string;
  guildId?: string;
  userId: string;
  commandName: string;
  createdAt: number;
  /** Answered too late (or told so): the callback gets 10062 Unknown interaction. */
  expired: boolean;
  callbacks: { type: number; data: unknown; at: number }[];
  originalId?: string;
  followupIds: string[];
}

export interface WriteRecord {
  at: number;
  kind: "create" | "edit" | "delete";
  via: "bot" | "webhook" | "interaction";
  /** The rate-limit bucket: `channel:<id>`, `webhook:<id>`, or `interaction:<token>`. */
  bucket: string;
  channelId: string;
  messageId?: string;
  content?: string;
  allowedMentions?: AllowedMentions;
  /** Who this write would have pinged (see pingsOf). */
  pings: string[];
  status: number;
}

export interface FakeState {
  world: World;
  gateway(): FakeGateway;
  limiter: WriteRateLimiter;
  writes: WriteRecord[];
  interactions: Map<string, FakeInteraction>;
  commands: { global: unknown[]; guild: Map<string, unknown[]> };
  token: string;
  gatewayUrl: string;
  recommendedShards: number;
}

export const messageBody = z.looseObject({
  content: z.string().optional(),
  allowed_mentions: allowedMentionsSchema.optional(),
  message_reference: z
    .looseObject({ message_id: z.string(), fail_if_not_exists: z.boolean().optional() })
    .optional(),
  flags: z.number().optional(),
  username: z.string().optional(),
  avatar_url: z.string().optional(),
});
export type MessageBody = z.infer<typeof messageBody>;

/** Discord's refusals for bad content: over 2000 characters, or nothing at all. */
export function contentProblem(content: string | undefined): RouteResult | undefined {
  if (content === undefined || content.length === 0)
    return discordError(400, 50006, "Cannot send an empty message");
  if (content.length > 2000) {
    return {
      status: 400,
      body: {
        message: "Invalid Form Body",
        code: 50035,
        errors: {
          content: {
            _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }],
          },
        },
      },
    };
  }
  return undefined;
}

/**
 * Spends a write in `bucket`: the rate-limit headers the accepted write's response carries, or the
 * 429 (recorded) when the bucket is spent.
 */
export function spend(
  state: FakeState,
  bucket: string,
  record: Omit<WriteRecord, "at" | "status" | "bucket">,
): { refused: RouteResult } | { headers: Record<string, string> } {
  const verdict = state.limiter.spend(bucket);
  if (verdict.ok) return { headers: verdict.headers };
  state.writes.push({ ...record, at: Date.now(), bucket, status: 429 });
  return { refused: { status: verdict.status, headers: verdict.headers, body: verdict.body } };
}

export function recordWrite(
  state: FakeState,
  bucket: string,
  record: Omit<WriteRecord, "at" | "status" | "bucket">,
): void {
  state.writes.push({ ...record, at: Date.now(), bucket, status: 200 });
}

/** Pings for a write: defaults as Discord applies them when `allowed_mentions` is absent. */
export function pingsFor(
  state: FakeState,
  body: MessageBody,
  via: WriteRecord["via"],
  replyTo?: string,
): string[] {
  const defaults: AllowedMentions["parse"] = via === "bot" ? ["users", "roles", "everyone"] : ["users"];
  const replied = replyTo === undefined ? undefined : state.world.messages.get(replyTo)?.authorId;
  return pingsOf(body.content ?? "", body.allowed_mentions, defaults, replied);
}

export function createMessage(
  state: FakeState,
  fields: Omit<FakeMessage, "id" | "versions" | "deleted" | "createdAt" | "type" | "flags"> &
    Partial<FakeMessage>,
): FakeMessage {
  const now = Date.now();
  const message: FakeMessage = {
    id: state.world.newId(),
    versions: [{ content: fields.content, at: now }],
    deleted: false,
    createdAt: now,
    type: fields.replyTo === undefined ? 0 : 19,
    flags: 0,
    ...fields,
  };
  state.world.messages.set(message.id, message);
  // Ephemeral (64) and "thinking…" (128) messages are not announced on the gateway.
  if ((message.flags & (64 | 128)) === 0) {
    state.gateway().dispatch("MESSAGE_CREATE", messageJson(state.world, message), message.guildId);
  }
  return message;
}

export function editMessage(message: FakeMessage, content: string): void {
  message.content = content;
  message.flags &= ~128;
  message.versions.push({ content, at: Date.now() });
}
