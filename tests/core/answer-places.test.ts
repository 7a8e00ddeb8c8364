/**
 * MAX_CONCURRENT_ANSWERS in the bot: at most that many events are worked on at once, the rest wait
 * in arrival order; one person's queue of messages never holds places; a stop ends what waits.
 */
import { describe, expect, it, vi } from "vitest";
import type { IncomingMessage } from "../../src/core/message.js";
import { createRecordingSink } from "../helpers/recording-sink.js";
import { createBotFixture, message } from "./bot-fixture.js";

function held(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** `name` asking in a conversation of their own. */
function from(name: string, text: string): IncomingMessage {
  const id = name.toLowerCase();
  return message(text, {
    conversationId: `console:${id}`,
    channelId: id,
    author: { id, name, canManageChannel: true, canManageServer: true },
  });
}

const asked = (model: { requests: { messages: { content: string }[] }[] }) =>
  model.requests.map((request) => request.messages.at(-1)?.content);

describe("bot: answers at once", () => {
  it("works on at most maxConcurrentAnswers events; the others start in arrival order as places free", async () => {
    const { bot, model } = createBotFixture({ settings: { maxConcurrentAnswers: 2 } });
    const ada = held();
    const bob = held();
    model.enqueue({ deltas: ["to Ada"], gate: ada.opened }, { deltas: ["to Bob"], gate: bob.opened });
    const sinks = [
      createRecordingSink(),
      createRecordingSink(),
      createRecordingSink(),
      createRecordingSink(),
    ];
    const handled = [
      bot.handleMessage(from("Ada", "Ada asks"), sinks[0] ?? createRecordingSink()),
      bot.handleMessage(from("Bob", "Bob asks"), sinks[1] ?? createRecordingSink()),
      bot.handleMessage(from("Cy", "Cy asks"), sinks[2] ?? createRecordingSink()),
      bot.handleMessage(from("Di", "Di asks"), sinks[3] ?? createRecordingSink()),
    ];
    await vi.waitFor(() => expect(bot.waitingForPlace()).toBe(2));
    expect(asked(model)).toEqual(["Ada asks", "Bob asks"]);

    // Bob's place frees: Cy's starts, and Cy's instant answer frees one for Di, in arrival order.
    bob.open();
    await vi.waitFor(() => expect(asked(model)).toEqual(["Ada asks", "Bob asks", "Cy asks", "Di asks"]));
    expect(bot.waitingForPlace()).toBe(0);
    expect(sinks[0]?.replies).toEqual([]);
    ada.open();
    await Promise.all(handled);
    expect(sinks.map((sink) => sink.transcript())).toEqual([
      "to Ada",
      "to Bob",
      "echo: Cy asks",
      "echo: Di asks",
    ]);
    expect(bot.waitingForPlace()).toBe(0);
  });

  it("lets one person's queued messages wait in their own order, never in places others could use", async () => {
    const { bot, model } = createBotFixture({ settings: { maxConcurrentAnswers: 2 } });
    const first = held();
    model.enqueue({ deltas: ["first"], gate: first.opened });
    const adaSink = createRecordingSink();
    const adaMessages = ["one", "two", "three", "four"].map((text) =>
      bot.handleMessage(from("Ada", `Ada ${text}`), adaSink),
    );
    await vi.waitFor(() => expect(asked(model)).toEqual(["Ada one"]));

    // Ada's three later messages wait for her first, not for a place: Bob is answered at once.
    const bobSink = createRecordingSink();
    await bot.handleMessage(from("Bob", "Bob asks"), bobSink);
    expect(bobSink.transcript()).toBe("echo: Bob asks");
    expect(bot.waitingForPlace()).toBe(0);

    first.open();
    await Promise.all(adaMessages);
    expect(adaSink.transcript()).toBe("first\necho: Ada two\necho: Ada three\necho: Ada four");
  });

  it("ends what waits for a place when it stops, keeping each question", async () => {
    const { bot, model, store } = createBotFixture({ settings: { maxConcurrentAnswers: 1 } });
    model.enqueue({ deltas: ["Once"], gate: new Promise<void>(() => {}) });
    const adaSink = createRecordingSink();
    const bobSink = createRecordingSink();
    const handled = [
      bot.handleMessage(from("Ada", "tell me a story"), adaSink),
      bot.handleMessage(from("Bob", "and me"), bobSink),
    ];
    await vi.waitFor(() => expect(bot.waitingForPlace()).toBe(1));
    await bot.stop();
    await Promise.all(handled);
    // Bob's question never reached the model, and is kept for after the restart.
    expect(asked(model)).toEqual(["tell me a story"]);
    expect(store.histories.get("console:bob")?.map((turn) => [turn.role, turn.content])).toEqual([
      ["user", "and me"],
    ]);
    expect(bobSink.replies.filter((reply) => reply.kind === "post")).toEqual([]);
    expect(store.histories.get("console:ada")?.map((turn) => turn.role)).toEqual(["user"]);
  });

  it("has no limit when none is set", async () => {
    const { bot, model } = createBotFixture();
    const gates = Array.from({ length: 100 }, () => held());
    model.enqueue(...gates.map((gate) => ({ deltas: ["ok"], gate: gate.opened })));
    const handled = gates.map((_, index) =>
      bot.handleMessage(from(`P${index}`, `question ${index}`), createRecordingSink()),
    );
    await vi.waitFor(() => expect(model.requests).toHaveLength(100));
    expect(bot.waitingForPlace()).toBe(0);
    for (const gate of gates) gate.open();
    await Promise.all(handled);
  });
});
