/** `reset`: forget the conversation, keep the persona; only as a whole message. */
import { beforeEach, describe, expect, it } from "vitest";
import { createBotFixture, message } from "../core/bot-fixture.js";
import { createRecordingSink } from "../helpers/recording-sink.js";

let { bot, model, store } = createBotFixture();
beforeEach(() => {
  ({ bot, model, store } = createBotFixture());
});

describe("reset", () => {
  it("forgets this conversation's history, keeps its persona, and says who is still here", async () => {
    await bot.handleMessage(message("persona coder"), createRecordingSink());
    await bot.handleMessage(message("remember me"), createRecordingSink());
    const sink = createRecordingSink();
    await bot.runCommand("reset", {}, message("/reset"), sink);
    expect(store.histories.has("console:ada")).toBe(false);
    expect(sink.replies).toEqual([
      {
        kind: "post",
        text: "Forgot this conversation. **Coder** is still here; start fresh.",
        options: undefined,
      },
    ]);
    await bot.handleMessage(message("who are you?"), sink);
    // The model sees no earlier turn, and the coder still answers.
    expect(model.requests.at(-1)?.messages.map((entry) => entry.content)).toEqual([
      "You are the coder.",
      "who are you?",
    ]);
  });

  it("leaves other conversations alone", async () => {
    const bob = { conversationId: "console:bob", channelId: "bob" };
    await bot.handleMessage(message("hi from bob", bob), createRecordingSink());
    await bot.handleMessage(message("reset."), createRecordingSink());
    expect(store.histories.get("console:bob")?.map((turn) => turn.content)).toEqual([
      "hi from bob",
      "echo: hi from bob",
    ]);
  });

  it("is a prompt when it is part of a sentence", async () => {
    await bot.handleMessage(message("first"), createRecordingSink());
    const sink = createRecordingSink();
    await bot.handleMessage(message("reset the router please"), sink);
    expect(sink.transcript()).toBe("echo: reset the router please");
    expect(store.histories.get("console:ada")).toHaveLength(4);
  });
});
