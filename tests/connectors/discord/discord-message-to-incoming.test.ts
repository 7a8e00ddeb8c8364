/** The message mapping on recorded MESSAGE_CREATE payloads: who is addressed, ids, names, rights. */
import { PermissionFlagsBits } from "discord.js";
import { describe, expect, it } from "vitest";
import {
  addressing,
  type ChannelPlace,
  type MessageContext,
  moveToThread,
  toIncomingMessage,
} from "../../../src/connectors/discord/discord-message-to-incoming.js";
import { readMessagePayload } from "../../../src/connectors/discord/discord-payloads.js";
import {
  botRoleMention,
  directMessage,
  everyone,
  fromOtherBot,
  fromWebhook,
  guildMention,
  ids,
  memberJoined,
  replyToBot,
  replyToWebhook,
  threadFollowUp,
} from "./payloads.js";

const channel: ChannelPlace = { kind: "channel", id: ids.general, canOpenThreads: true };
const thread = (botIsMember: boolean): ChannelPlace => ({
  kind: "thread",
  id: ids.thread,
  parentId: ids.general,
  botIsMember,
});

function context(place: ChannelPlace = channel, extra: Partial<MessageContext> = {}): MessageContext {
  return {
    botUserId: ids.bot,
    botRoleIds: [ids.botRole],
    isOwnWebhook: (id) => id === ids.webhook,
    place,
    names: {
      role: (id) => (id === ids.mods ? "Mods" : undefined),
      channel: (id) => (id === ids.general ? "general" : undefined),
    },
    ...extra,
  };
}

function read(data: unknown) {
  const payload = readMessagePayload(data);
  if (payload === undefined) throw new Error("payload did not parse");
  return payload;
}

describe("discord mapping: who is addressed", () => {
  it("answers a mention, the bot's role, a reply to it or to its persona webhooks, and a DM", () => {
    expect(addressing(read(guildMention), context())).toBe("mention");
    expect(addressing(read(botRoleMention), context())).toBe("mention");
    expect(addressing(read(replyToBot), context())).toBe("reply");
    expect(addressing(read(replyToWebhook), context())).toBe("reply");
    expect(addressing(read(directMessage), context({ kind: "dm" }))).toBe("direct");
  });

  it("answers a thread follow-up without a mention only in a thread the bot is in", () => {
    expect(addressing(read(threadFollowUp), context(thread(true)))).toBe("thread");
    expect(addressing(read(threadFollowUp), context(thread(false)))).toBeUndefined();
  });

  it("never answers a bot, a webhook (its own faces included), @everyone or a system message", () => {
    expect(addressing(read(fromOtherBot), context())).toBeUndefined();
    expect(addressing(read(fromWebhook), context())).toBeUndefined();
    expect(addressing(read(everyone), context())).toBeUndefined();
    expect(addressing(read(memberJoined), context())).toBeUndefined();
  });

  it("refuses a payload that is not a message", () => {
    expect(readMessagePayload({ id: "1", content: 3 })).toBeUndefined();
  });
});

describe("discord mapping: the IncomingMessage", () => {
  it("removes the bot's mention and names everyone else as people see them", () => {
    const message = toIncomingMessage(read(guildMention), context());
    expect(message.text).toBe("what is @bob doing in #general? cc @Mods :wave:");
    expect(message.author).toMatchObject({ id: ids.ada, name: "Ada" });
  });

  it("keys a channel message by server and channel, a thread by its parent too, a DM by the person", () => {
    expect(toIncomingMessage(read(guildMention), context())).toMatchObject({
      platform: "discord",
      conversationId: `discord:${ids.guild}:${ids.general}`,
      serverId: ids.guild,
      channelId: ids.general,
      threadId: undefined,
      isDirect: false,
    });
    expect(toIncomingMessage(read(threadFollowUp), context(thread(true)))).toMatchObject({
      conversationId: `discord:${ids.guild}:${ids.general}:${ids.thread}`,
      channelId: ids.general,
      threadId: ids.thread,
    });
    expect(toIncomingMessage(read(directMessage), context({ kind: "dm" }))).toMatchObject({
      conversationId: `discord:dm:${ids.bob}`,
      serverId: undefined,
      channelId: ids.dm,
      isDirect: true,
      author: { name: "bob", canManageChannel: true, canManageServer: false },
    });
  });

  it("moves a mention's conversation into the thread opened for it", () => {
    const moved = moveToThread(toIncomingMessage(read(guildMention), context()), ids.thread);
    expect(moved).toMatchObject({
      conversationId: `discord:${ids.guild}:${ids.general}:${ids.thread}`,
      channelId: ids.general,
      threadId: ids.thread,
    });
  });

  it("gives channel and server rights from the author's permissions", () => {
    const payload = read(guildMention);
    const none = toIncomingMessage(
      payload,
      context(channel, { permissions: PermissionFlagsBits.SendMessages }),
    );
    expect(none.author).toMatchObject({ canManageChannel: false, canManageServer: false });
    const mod = toIncomingMessage(
      payload,
      context(channel, { permissions: PermissionFlagsBits.ManageChannels }),
    );
    expect(mod.author).toMatchObject({ canManageChannel: true, canManageServer: false });
    const admin = toIncomingMessage(
      payload,
      context(channel, { permissions: PermissionFlagsBits.ManageGuild }),
    );
    expect(admin.author).toMatchObject({ canManageChannel: false, canManageServer: true });
  });

  it("prefers the server nickname, then the display name, then the username", () => {
    const payload = read(replyToBot);
    expect(toIncomingMessage(payload, context()).author.name).toBe("Ada");
    expect(toIncomingMessage({ ...payload, member: undefined }, context()).author.name).toBe("Ada Lovelace");
  });
});
