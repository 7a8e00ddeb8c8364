/**
 * The Web API methods the bot calls, as the fake answers them: logical errors are HTTP 200
 * `{ok:false,error}` like Slack's; limits are Slack's (chat.update text ≤ 4,000 characters,
 * postMessage ≤ 40,000, markdown_text ≤ 12,000); a stream must be a thread reply.
 */
import { z } from "zod";
import type { FakeMessage, FakeSlackState } from "./fake-slack-state.js";

export interface FakeIdentity {
  botToken: string;
  appToken: string;
  teamId: string;
  botUserId: string;
  botId: string;
  botName: string;
}

export type MethodResult = Record<string, unknown>;
type Handler = (args: Record<string, unknown>, state: FakeSlackState) => MethodResult;

const text = z.string().optional();
const postArgs = z.looseObject({
  channel: z.string(),
  text,
  thread_ts: z.string().optional(),
  username: z.string().optional(),
  icon_url: z.string().optional(),
  icon_emoji: z.string().optional(),
});
const updateArgs = z.looseObject({ channel: z.string(), ts: z.string(), text });
const ephemeralArgs = z.looseObject({ channel: z.string(), user: z.string(), text });
const startArgs = z.looseObject({ channel: z.string(), thread_ts: z.string(), markdown_text: text });
const appendArgs = z.looseObject({ channel: z.string(), ts: z.string(), markdown_text: text });
const repliesArgs = z.looseObject({ channel: z.string(), ts: z.string() });
const userArgs = z.looseObject({ user: z.string() });
const statusArgs = z.looseObject({ channel_id: z.string(), thread_ts: z.string(), status: z.string() });

const fail = (error: string): MethodResult => ({ ok: false, error });

function parse<Schema extends z.ZodType>(schema: Schema, args: unknown): z.infer<Schema> | undefined {
  const parsed = schema.safeParse(args);
  return parsed.success ? parsed.data : undefined;
}

export function createMethods(identity: FakeIdentity): Record<string, Handler> {
  function post(args: Record<string, unknown>, state: FakeSlackState): MethodResult {
    const input = parse(postArgs, args);
    if (!input) return fail("invalid_arguments");
    if ((input.text ?? "") === "") return fail("no_text");
    if ((input.text ?? "").length > 40_000) return fail("msg_too_long");
    const ts = state.nextTs();
    const message: FakeMessage = {
      channel: input.channel,
      ts,
      threadTs: input.thread_ts,
      text: input.text ?? "",
      versions: [input.text ?? ""],
      username: input.username,
      iconUrl: input.icon_url,
      iconEmoji: input.icon_emoji,
      user: identity.botUserId,
      botId: identity.botId,
    };
    state.messages.set(state.key(input.channel, ts), message);
    return { ok: true, channel: input.channel, ts, message: { text: message.text, ts } };
  }

  function change(args: Record<string, unknown>, state: FakeSlackState, field: "text" | "append") {
    const input = parse(field === "text" ? updateArgs : appendArgs, args);
    if (!input) return fail("invalid_arguments");
    const message = state.messages.get(state.key(input.channel, input.ts));
    if (!message) return fail("message_not_found");
    const value =
      field === "text"
        ? (parse(updateArgs, args)?.text ?? "")
        : (parse(appendArgs, args)?.markdown_text ?? "");
    if (field === "text" && value.length > 4_000) return fail("msg_too_long");
    if (field === "append" && (value.length > 12_000 || !message.streaming)) {
      return fail(message.streaming ? "msg_too_long" : "message_not_in_streaming_state");
    }
    message.text = field === "text" ? value : message.text + value;
    message.versions.push(message.text);
    return { ok: true, channel: input.channel, ts: input.ts };
  }

  return {
    "auth.test": () => ({
      ok: true,
      url: "https://fake.slack.test/",
      team: "Fake Team",
      user: identity.botName,
      team_id: identity.teamId,
      user_id: identity.botUserId,
      bot_id: identity.botId,
    }),
    "chat.postMessage": post,
    "chat.update": (args, state) => change(args, state, "text"),
    "chat.postEphemeral": (args, state) => {
      const input = parse(ephemeralArgs, args);
      if (!input) return fail("invalid_arguments");
      return { ok: true, message_ts: state.nextTs() };
    },
    "chat.startStream": (args, state) => {
      const input = parse(startArgs, args);
      if (!input) return fail("invalid_arguments");
      const markdown = input.markdown_text ?? "";
      if (markdown.length > 12_000) return fail("msg_too_long");
      const result = post({ ...args, text: markdown || " " }, state);
      const message = state.messages.get(state.key(input.channel, String(result.ts)));
      if (message) {
        message.text = markdown;
        message.versions = [markdown];
        message.streaming = true;
      }
      return result;
    },
    "chat.appendStream": (args, state) => change(args, state, "append"),
    "chat.stopStream": (args, state) => {
      const input = parse(appendArgs, args);
      if (!input) return fail("invalid_arguments");
      const message = state.messages.get(state.key(input.channel, input.ts));
      if (!message?.streaming) return fail("message_not_in_streaming_state");
      if (input.markdown_text) change(args, state, "append");
      message.streaming = false;
      return { ok: true, channel: input.channel, ts: input.ts };
    },
    "conversations.replies": (args, state) => {
      const input = parse(repliesArgs, args);
      if (!input) return fail("invalid_arguments");
      const seeded = state.threads.get(state.key(input.channel, input.ts));
      if (!seeded) return fail("thread_not_found");
      const messages = seeded.map((message) => ({
        type: "message",
        ts: message.ts,
        thread_ts: input.ts,
        text: message.text,
        ...(message.user ? { user: message.user } : {}),
        ...(message.botId ? { bot_id: message.botId } : {}),
        ...(message.subtype ? { subtype: message.subtype } : {}),
      }));
      return { ok: true, messages, has_more: false };
    },
    "users.info": (args, state) => {
      const input = parse(userArgs, args);
      const user = input ? state.users.get(input.user) : undefined;
      if (!user) return fail("user_not_found");
      return {
        ok: true,
        user: {
          id: user.id,
          name: user.name,
          real_name: user.realName ?? user.name,
          profile: { display_name: user.displayName ?? "", real_name: user.realName ?? user.name },
        },
      };
    },
    "assistant.threads.setStatus": (args) =>
      parse(statusArgs, args) ? { ok: true } : fail("invalid_arguments"),
  };
}
