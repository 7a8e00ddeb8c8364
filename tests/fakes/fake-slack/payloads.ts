/**
 * Slack payloads as Slack sends them (shapes from the Events API and slash command docs): message
 * events, the `event_callback` body around them, and slash command bodies.
 */
import { randomUUID } from "node:crypto";
import type { FakeIdentity } from "./web-api-methods.js";

export interface MessageEventInput {
  type?: "app_mention" | "message";
  channel: string;
  user: string;
  text: string;
  ts: string;
  threadTs?: string;
  channelType?: "channel" | "group" | "im" | "mpim";
  subtype?: string;
  botId?: string;
}

export function messageEvent(input: MessageEventInput): Record<string, unknown> {
  const type = input.type ?? "message";
  return {
    type,
    user: input.user,
    text: input.text,
    ts: input.ts,
    channel: input.channel,
    event_ts: input.ts,
    client_msg_id: randomUUID(),
    team: "TFAKE0001",
    blocks: [],
    ...(input.threadTs === undefined ? {} : { thread_ts: input.threadTs, parent_user_id: "UPARENT01" }),
    // Only `message` events say what kind of conversation they come from.
    ...(type === "message" ? { channel_type: input.channelType ?? "channel" } : {}),
    ...(input.subtype === undefined ? {} : { subtype: input.subtype }),
    ...(input.botId === undefined ? {} : { bot_id: input.botId }),
  };
}

export function eventCallback(
  identity: FakeIdentity,
  event: Record<string, unknown>,
  eventId = `Ev${randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase()}`,
): Record<string, unknown> {
  return {
    token: "fake-verification-token",
    team_id: identity.teamId,
    api_app_id: "AFAKE",
    event,
    type: "event_callback",
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: identity.teamId,
        user_id: identity.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomUUID()}`,
  };
}

export interface SlashCommandInput {
  command: string;
  text: string;
  channel: string;
  channelName?: string;
  user: string;
  userName?: string;
  responseUrl: string;
}

export function slashCommandBody(identity: FakeIdentity, input: SlashCommandInput): Record<string, string> {
  return {
    token: "fake-verification-token",
    team_id: identity.teamId,
    team_domain: "fake",
    channel_id: input.channel,
    channel_name: input.channelName ?? (input.channel.startsWith("D") ? "directmessage" : "general"),
    user_id: input.user,
    user_name: input.userName ?? "someone",
    command: input.command,
    text: input.text,
    api_app_id: "AFAKE",
    is_enterprise_install: "false",
    response_url: input.responseUrl,
    // Unique per invocation, as Slack's are: troupe de-duplicates commands by it.
    trigger_id: `${Date.now()}.${randomUUID()}`,
  };
}
