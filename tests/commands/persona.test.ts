/** `persona`: the listing, switching with its greeting, scopes and who may set them, unknown names. */
import { beforeEach, describe, expect, it } from "vitest";
import type { IncomingMessage } from "../../src/core/message.js";
import { createBotFixture, message } from "../core/bot-fixture.js";
import { testPersona } from "../helpers/personas.js";
import { createRecordingSink } from "../helpers/recording-sink.js";

let { bot, store } = createBotFixture();
beforeEach(() => {
  ({ bot, store } = createBotFixture());
});

/** Someone in a Discord server channel, with the permissions given. */
function inServer(text: string, can: { channel: boolean; server: boolean }): IncomingMessage {
  return message(text, {
    platform: "discord",
    conversationId: "discord:g:c",
    serverId: "g",
    channelId: "c",
    isDirect: false,
    author: { id: "u", name: "Uma", canManageChannel: can.channel, canManageServer: can.server },
  });
}

describe("persona: the listing", () => {
  it("says who answers and why, lists every persona, and how to switch, to the asker only", async () => {
    const sink = createRecordingSink();
    await bot.runCommand("persona", {}, message("/persona"), sink);
    expect(sink.replies).toEqual([
      {
        kind: "post",
        text: [
          "Talking to **Tutor** (`tutor`), the default.",
          "",
          "Personas:",
          "• `coder` Coder: The coder persona",
          "• `tutor` Tutor: The tutor persona",
          "",
          "Switch with `persona <name>`.",
        ].join("\n"),
        options: { ephemeral: true },
      },
    ]);
  });

  it("names where the current choice comes from", async () => {
    const owner = { channel: true, server: true };
    await bot.handleMessage(inServer("persona coder server", owner), createRecordingSink());
    const sink = createRecordingSink();
    await bot.handleMessage(inServer("persona", owner), sink);
    expect(sink.transcript()).toContain("Talking to **Coder** (`coder`), chosen for this server.");
  });
});

describe("persona: switching", () => {
  it("greets with the persona's greeting when it has one", async () => {
    const sink = createRecordingSink();
    await bot.handleMessage(message("persona coder"), sink);
    await bot.handleMessage(message("persona tutor"), sink);
    expect(sink.replies.map((reply) => reply.text)).toEqual([
      "**Coder** now answers in this conversation.",
      "**Tutor** now answers in this conversation.\n\nHi, learner!",
    ]);
    expect(store.bindings.get("conversation:console:ada")).toBe("tutor");
  });

  it("fills {{char}} and {{user}} in the greeting with the persona's and the asker's names", async () => {
    const { bot: macroBot } = createBotFixture({
      personas: [
        testPersona("tutor"),
        testPersona("sera", { displayName: "Seraphina", greeting: "Welcome, {{user}}. I am {{Char}}." }),
      ],
    });
    const sink = createRecordingSink();
    await macroBot.handleMessage(inServer("persona sera", { channel: false, server: false }), sink);
    expect(sink.replies.map((reply) => reply.text)).toEqual([
      "**Seraphina** now answers in this conversation.\n\nWelcome, Uma. I am Seraphina.",
    ]);
  });

  it("binds the channel or the server for someone who may, and Slack's `workspace` means the server", async () => {
    const owner = { channel: true, server: true };
    const sink = createRecordingSink();
    await bot.handleMessage(inServer("persona coder channel", owner), sink);
    await bot.handleMessage(inServer("persona tutor workspace", owner), sink);
    expect(store.bindings.get("channel:discord:g:c")).toBe("coder");
    expect(store.bindings.get("server:discord:g")).toBe("tutor");
    expect(sink.transcript()).toContain("**Coder** now answers in this channel.");
    expect(sink.transcript()).toContain("**Tutor** now answers in this server.");
  });
});

describe("persona: refusals", () => {
  it.each([
    [
      "channel",
      { channel: false, server: false },
      "Only people who can manage this channel can set its persona. You can still set it for this conversation.",
    ],
    [
      "server",
      { channel: true, server: false },
      "Only people who can manage this server can set its persona. You can still set it for this conversation.",
    ],
  ])("refuses %s scope without the permission, and binds nothing", async (scope, can, refusal) => {
    const sink = createRecordingSink();
    await bot.runCommand("persona", { name: "coder", scope }, inServer(`/persona coder ${scope}`, can), sink);
    expect(sink.replies).toEqual([{ kind: "post", text: refusal, options: { ephemeral: true } }]);
    expect(store.bindings.size).toBe(0);
  });

  it("refuses server scope where there is no server (a DM, the terminal)", async () => {
    const sink = createRecordingSink();
    await bot.handleMessage(message("persona coder server"), sink);
    expect(sink.transcript()).toBe(
      "There's no server here to set a persona for. Use `conversation` or `channel` scope.",
    );
    expect(store.bindings.size).toBe(0);
  });

  it("lets anyone choose for their own conversation", async () => {
    await bot.handleMessage(
      inServer("persona coder", { channel: false, server: false }),
      createRecordingSink(),
    );
    expect(store.bindings.get("conversation:discord:g:c")).toBe("coder");
  });

  it("refuses a scope that is none of the three, even one an object has by inheritance", async () => {
    for (const scope of ["galaxy", "constructor"]) {
      const sink = createRecordingSink();
      await bot.runCommand("persona", { name: "coder", scope }, message("/persona"), sink);
      expect(sink.transcript()).toBe("Scope must be `conversation`, `channel` or `server`.");
    }
    expect(store.bindings.size).toBe(0);
  });

  it("answers an unknown name with the list, as an error for the asker only, and changes nothing", async () => {
    const sink = createRecordingSink();
    await bot.handleMessage(message("persona Wizard"), sink);
    expect(sink.replies).toEqual([
      {
        kind: "post",
        text: "There's no persona called `wizard`. Available: `coder`, `tutor`.",
        options: { ephemeral: true, error: true },
      },
    ]);
    expect(store.bindings.size).toBe(0);
  });
});
