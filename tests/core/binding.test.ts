import { describe, expect, it } from "vitest";
import { bindingKeys, resolvePersona } from "../../src/core/binding.js";
import type { IncomingMessage } from "../../src/core/message.js";
import { staticCatalog, testPersona } from "../helpers/personas.js";

const catalog = staticCatalog(["tutor", "coder", "support", "storyteller"].map((name) => testPersona(name)));

const threadMessage: IncomingMessage = {
  platform: "discord",
  conversationId: "discord:g1:c1:t1",
  serverId: "g1",
  channelId: "c1",
  threadId: "t1",
  author: { id: "u1", name: "Ada", canManageChannel: false, canManageServer: false },
  text: "hi",
  isDirect: false,
  attachments: [],
};

describe("binding precedence", () => {
  it("override › conversation › channel › server › default", () => {
    const all = { conversation: "coder", channel: "support", server: "storyteller" };
    expect(resolvePersona(catalog, all, "tutor", "support")).toMatchObject({
      persona: { name: "support" },
      source: "override",
    });
    expect(resolvePersona(catalog, all, "tutor")).toMatchObject({
      persona: { name: "coder" },
      source: "conversation",
    });
    expect(resolvePersona(catalog, { channel: "support", server: "storyteller" }, "tutor")).toMatchObject({
      persona: { name: "support" },
      source: "channel",
    });
    expect(resolvePersona(catalog, { server: "storyteller" }, "tutor")).toMatchObject({ source: "server" });
    expect(resolvePersona(catalog, {}, "tutor")).toMatchObject({
      persona: { name: "tutor" },
      source: "default",
    });
  });

  it("skips a binding to a persona whose file was removed", () => {
    expect(resolvePersona(catalog, { conversation: "gone", channel: "coder" }, "tutor")).toMatchObject({
      persona: { name: "coder" },
      source: "channel",
    });
  });

  it("gives a thread its own conversation key but its channel's channel key, so it inherits", () => {
    const channelMessage = { ...threadMessage, conversationId: "discord:g1:c1", threadId: undefined };
    expect(bindingKeys(threadMessage).conversation).not.toBe(bindingKeys(channelMessage).conversation);
    expect(bindingKeys(threadMessage).channel).toBe(bindingKeys(channelMessage).channel);
    expect(bindingKeys(threadMessage).server).toBe("server:discord:g1");
  });

  it("has no server scope outside a server", () => {
    expect(bindingKeys({ ...threadMessage, serverId: undefined }).server).toBeUndefined();
  });
});
