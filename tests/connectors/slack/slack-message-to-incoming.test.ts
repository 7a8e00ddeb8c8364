/** The mapping from recorded Slack payloads to decisions and IncomingMessages: pure, no network. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  isDirectCommand,
  planSlashCommand,
  toCommandMessage,
} from "../../../src/connectors/slack/slack-command-to-incoming.js";
import {
  classifyEvent,
  messageKey,
  replyThreadTs,
  slackConversationId,
  toIncomingMessage,
} from "../../../src/connectors/slack/slack-message-to-incoming.js";
import {
  eventCallbackSchema,
  messageEventSchema,
  type SlackMessageEvent,
  slashCommandSchema,
} from "../../../src/connectors/slack/slack-payloads.js";

const identity = { botUserId: "U0LAN0Z89", botId: "B0LAN0Z89" };
const names = new Map([
  ["U123ABC456", "Ada"],
  ["U222BBB222", "Bob"],
]);

function recorded(name: string): { teamId: string; eventId: string; event: SlackMessageEvent } {
  const json: unknown = JSON.parse(
    readFileSync(join(import.meta.dirname, "payloads", `${name}.json`), "utf8"),
  );
  const envelope = eventCallbackSchema.parse(json);
  return {
    teamId: envelope.team_id,
    eventId: envelope.event_id,
    event: messageEventSchema.parse(envelope.event),
  };
}

const context = (teamId: string, adminUsers: string[] = []) => ({
  teamId,
  botUserId: identity.botUserId,
  names,
  adminUsers,
});

describe("slack mapping: channel mentions", () => {
  it("answers an app_mention in a new thread on the mention, with names instead of ids", () => {
    const { teamId, event } = recorded("app-mention");
    expect(classifyEvent(event, identity).kind).toBe("mention");
    expect(replyThreadTs(event)).toBe("1515449522.000016");
    expect(toIncomingMessage(event, context(teamId))).toEqual({
      platform: "slack",
      conversationId: "slack:T123ABC456:C123ABC456:1515449522.000016",
      serverId: "T123ABC456",
      channelId: "C123ABC456",
      threadId: "1515449522.000016",
      author: { id: "U123ABC456", name: "Ada", canManageChannel: true, canManageServer: true },
      text: "what does <b> do in HTML? cc @Bob see MDN (https://developer.mozilla.org/en-US/docs/Web/HTML/Element/b) in #web-dev",
      isDirect: false,
      attachments: [],
    });
  });

  it("treats the `message` copy of a mention as the same message (one key for both)", () => {
    const mention = recorded("app-mention");
    const copy = recorded("message-channel-mention");
    expect(classifyEvent(copy.event, identity).kind).toBe("mention");
    expect(copy.eventId).not.toBe(mention.eventId);
    expect(messageKey(copy.teamId, copy.event)).toBe(messageKey(mention.teamId, mention.event));
    expect(toIncomingMessage(copy.event, context(copy.teamId))).toEqual(
      toIncomingMessage(mention.event, context(mention.teamId)),
    );
  });

  it("a thread reply without a mention is a candidate, answered only where the bot is part of the thread", () => {
    const { teamId, event } = recorded("message-thread-reply");
    expect(classifyEvent(event, identity).kind).toBe("thread-reply");
    const message = toIncomingMessage(event, context(teamId));
    expect(message.conversationId).toBe("slack:T123ABC456:C123ABC456:1515449522.000016");
    expect(message.text).toBe("and what about <i>?");
    expect(message.author.name).toBe("Bob");
  });

  it("ignores a thread reply addressed to someone else, and top-level chatter", () => {
    const { event } = recorded("message-thread-reply");
    expect(classifyEvent({ ...event, text: "<@U123ABC456> what do you think?" }, identity)).toMatchObject({
      kind: "ignore",
    });
    expect(classifyEvent({ ...event, thread_ts: undefined, text: "lunch?" }, identity).kind).toBe("ignore");
  });

  it("limits channel and workspace personas to SLACK_ADMIN_USERS when set", () => {
    const { teamId, event } = recorded("app-mention");
    expect(toIncomingMessage(event, context(teamId, ["UADMIN"])).author).toMatchObject({
      canManageChannel: false,
      canManageServer: false,
    });
    expect(toIncomingMessage(event, context(teamId, ["U123ABC456"])).author).toMatchObject({
      canManageChannel: true,
      canManageServer: true,
    });
  });
});

describe("slack mapping: DMs", () => {
  it("answers a DM in place: the DM is one conversation, with its files as attachments", () => {
    const { teamId, event } = recorded("message-im");
    expect(classifyEvent(event, identity).kind).toBe("direct");
    expect(replyThreadTs(event)).toBeUndefined();
    const message = toIncomingMessage(event, context(teamId, ["UADMIN"]));
    expect(message).toMatchObject({
      conversationId: "slack:T123ABC456:D024BE91L:dm",
      isDirect: true,
      threadId: undefined,
      text: "Hello hello can you hear me?",
      // Their own DM is theirs to set; the workspace is not.
      author: { id: "U2147483697", canManageChannel: true, canManageServer: false },
    });
    expect(message.attachments).toEqual([
      {
        name: "notes.txt",
        url: "https://files.slack.com/files-pri/T123ABC456-F0ABCDEF/notes.txt",
        contentType: "text/plain",
      },
    ]);
  });

  it("keeps a DM thread (an assistant thread) as its own conversation, answered in the thread", () => {
    const { teamId, event } = recorded("message-assistant-thread");
    expect(classifyEvent(event, identity).kind).toBe("direct");
    expect(replyThreadTs(event)).toBe("1729000000.000100");
    expect(toIncomingMessage(event, context(teamId)).conversationId).toBe(
      slackConversationId("T123ABC456", "D024BE91L", "1729000000.000100"),
    );
  });
});

describe("slack mapping: what is never answered", () => {
  it("ignores bots (any bot), edits and the bot's own messages", () => {
    expect(classifyEvent(recorded("message-bot").event, identity)).toEqual({ kind: "ignore", reason: "bot" });
    expect(classifyEvent(recorded("message-changed").event, identity)).toMatchObject({ kind: "ignore" });
    const { event } = recorded("message-im");
    expect(classifyEvent({ ...event, user: identity.botUserId }, identity).kind).toBe("ignore");
    expect(classifyEvent({ ...event, bot_id: "BOTHER" }, identity).kind).toBe("ignore");
    expect(classifyEvent({ ...event, subtype: "channel_join" }, identity).kind).toBe("ignore");
    expect(classifyEvent({ ...event, subtype: "file_share" }, identity).kind).toBe("direct");
  });
});

describe("slack mapping: slash commands", () => {
  const payload = slashCommandSchema.parse(
    JSON.parse(readFileSync(join(import.meta.dirname, "payloads", "slash-command.json"), "utf8")),
  );

  it("maps a channel command to the channel, not a thread (Slack does not say which thread)", () => {
    expect(isDirectCommand(payload)).toBe(false);
    const message = toCommandMessage(payload, { names: new Map(), adminUsers: [], text: "coder workspace" });
    expect(message).toMatchObject({
      conversationId: "slack:T123ABC456:C2147483705",
      channelId: "C2147483705",
      serverId: "T123ABC456",
      author: { id: "U2147483697", name: "Steve" },
    });
  });

  it("sets the channel's persona by default, and points non-admins and thread verbs to a mention", () => {
    const message = toCommandMessage(payload, { names: new Map(), adminUsers: [], text: "" });
    expect(planSlashCommand("persona", { name: "coder" }, message, "troupe")).toEqual({
      kind: "run",
      options: { name: "coder", scope: "channel" },
    });
    const nonAdmin = toCommandMessage(payload, { names: new Map(), adminUsers: ["UADMIN"], text: "" });
    const note = planSlashCommand("persona", { name: "coder" }, nonAdmin, "troupe");
    expect(note).toMatchObject({ kind: "note" });
    expect(note.kind === "note" && note.text).toContain("`@troupe persona coder`");
    expect(planSlashCommand("reset", {}, message, "troupe")).toMatchObject({ kind: "note" });
    expect(
      planSlashCommand("persona", { name: "coder", scope: "conversation" }, message, "troupe"),
    ).toMatchObject({
      kind: "note",
    });
    expect(planSlashCommand("persona", { name: "coder", scope: "workspace" }, message, "troupe").kind).toBe(
      "run",
    );
  });

  it("in a DM, the DM is the conversation and /reset works", () => {
    const direct = slashCommandSchema.parse({
      ...payload,
      channel_id: "D0123",
      channel_name: "directmessage",
    });
    const message = toCommandMessage(direct, { names: new Map(), adminUsers: ["UADMIN"], text: "" });
    expect(message).toMatchObject({ conversationId: "slack:T123ABC456:D0123:dm", isDirect: true });
    expect(planSlashCommand("reset", {}, message, "troupe").kind).toBe("run");
  });
});
