/**
 * Many people in one room: different people in one conversation are answered at once, one person's
 * messages stay in order, and the history keeps each question beside its answer in the order the
 * questions arrived, whatever order the answers finished in.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { IncomingMessage } from "../../src/core/message.js";
import { createRecordingSink } from "../helpers/recording-sink.js";
import { createBotFixture, message } from "./bot-fixture.js";

let { bot, model, store } = createBotFixture();
beforeEach(() => {
  ({ bot, model, store } = createBotFixture());
});

const ROOM = "discord:guild:room";

/** `name`'s message in one shared channel. */
function said(name: string, text: string): IncomingMessage {
  const id = name.toLowerCase();
  return message(text, {
    platform: "discord",
    conversationId: ROOM,
    serverId: "guild",
    channelId: "room",
    isDirect: false,
    author: { id, name, canManageChannel: true, canManageServer: false },
  });
}

function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** What the model was sent for the request whose last message contains `text`. */
function requestFor(text: string): string[] {
  const request = model.requests.find((entry) => entry.messages.at(-1)?.content.includes(text));
  return request?.messages.map((entry) => entry.content) ?? [];
}

describe("bot: several people in one conversation", () => {
  it("answers another person while one answer is still streaming, and keeps each person in order", async () => {
    const ada = gate();
    model.enqueue({ deltas: ["to Ada, one"], gate: ada.opened });
    const adaSink = createRecordingSink();
    const adaFirst = bot.handleMessage(said("Ada", "Ada one"), adaSink);
    await vi.waitFor(() => expect(model.requests).toHaveLength(1));

    model.enqueue({ deltas: ["to Bob"] });
    const bobSink = createRecordingSink();
    const bob = bot.handleMessage(said("Bob", "Bob asks"), bobSink);
    model.enqueue({ deltas: ["to Ada, two"] });
    const adaSecond = bot.handleMessage(said("Ada", "Ada two"), adaSink);

    // Bob's answer completes while Ada's first is held open...
    await bob;
    expect(bobSink.transcript()).toBe("to Bob");
    // ...and it did not see Ada's unfinished exchange.
    expect(requestFor("Bob asks").join("\n")).not.toContain("Ada one");
    // Ada's second message waits for her first.
    expect(model.requests).toHaveLength(2);
    expect(adaSink.replies).toEqual([]);

    ada.open();
    await Promise.all([adaFirst, adaSecond]);
    expect(adaSink.transcript()).toBe("to Ada, one\nto Ada, two");
    // Question order, each question next to its answer, though Bob's answer was stored first.
    expect(store.histories.get(ROOM)?.map((turn) => turn.content)).toEqual([
      "Ada one",
      "to Ada, one",
      "Bob asks",
      "to Bob",
      "Ada two",
      "to Ada, two",
    ]);
    // Ada's second question saw everything asked before it.
    expect(requestFor("Ada two")).toEqual([
      "You are the tutor.",
      "Ada: Ada one",
      "to Ada, one",
      "Bob: Bob asks",
      "to Bob",
      "Ada: Ada two",
    ]);
  });

  it("keeps one person's one-offs and commands in order behind their answer", async () => {
    const held = gate();
    model.enqueue({ deltas: ["tutor answer"], gate: held.opened });
    const sink = createRecordingSink();
    const first = bot.handleMessage(said("Ada", "explain recursion"), sink);
    await vi.waitFor(() => expect(model.requests).toHaveLength(1));
    const oneOff = bot.handleMessage(said("Ada", "as coder: write it"), sink);
    const command = bot.runCommand("persona", { name: "coder" }, said("Ada", ""), sink);
    const other = bot.handleMessage(said("Bob", "hello"), createRecordingSink());
    await other;
    expect(model.requests).toHaveLength(2);
    expect(sink.replies).toEqual([]);
    held.open();
    await Promise.all([first, oneOff, command]);
    expect(sink.replies.map((reply) => (reply.kind === "stream" ? reply.persona : "post"))).toEqual([
      "tutor",
      "coder",
      "post",
    ]);
    expect(sink.replies[2]?.text).toContain("Coder");
  });

  it("does not store an exchange whose question came before a reset that finished first", async () => {
    const held = gate();
    model.enqueue({ deltas: ["late answer"], gate: held.opened });
    const bob = bot.handleMessage(said("Bob", "Bob asks"), createRecordingSink());
    await vi.waitFor(() => expect(model.requests).toHaveLength(1));
    await bot.handleMessage(said("Ada", "reset"), createRecordingSink());
    held.open();
    await bob;
    expect(store.histories.has(ROOM)).toBe(false);
    await bot.handleMessage(said("Ada", "fresh start"), createRecordingSink());
    expect(store.histories.get(ROOM)?.map((turn) => turn.content)).toEqual([
      "fresh start",
      "echo: Ada: fresh start",
    ]);
  });

  it("settles every person's work on stop, a held answer and the messages queued behind it", async () => {
    const held = gate();
    model.enqueue({ deltas: ["partial"], gate: held.opened });
    const sink = createRecordingSink();
    const handlers = [
      bot.handleMessage(said("Ada", "Ada one"), sink),
      bot.handleMessage(said("Ada", "Ada two"), sink),
    ];
    await vi.waitFor(() => expect(model.requests).toHaveLength(1));
    handlers.push(bot.handleMessage(said("Bob", "Bob asks"), createRecordingSink()));
    await bot.stop();
    await Promise.all(handlers);
    // The held answer was cut with the note; both of Ada's questions are kept for after a restart.
    expect(sink.replies[0]?.interrupted).toBe(true);
    const questions = store.histories.get(ROOM)?.filter((turn) => turn.role === "user");
    expect(questions?.map((turn) => turn.content)).toEqual(["Ada one", "Ada two", "Bob asks"]);
  });
});
