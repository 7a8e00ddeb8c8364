/** The bot over time: one conversation in order, several at once, stopping, and the platform helpers. */
import { beforeEach, describe, expect, it } from "vitest";
import { createRecordingSink } from "../helpers/recording-sink.js";
import { createBotFixture, message } from "./bot-fixture.js";

// A fresh bot for every test; the first one only gives the names their types.
let { bot, model, store, logger } = createBotFixture();
beforeEach(() => {
  ({ bot, model, store, logger } = createBotFixture());
});

describe("bot: ordering", () => {
  it("handles two messages of one conversation strictly in order, losing nothing", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    model.enqueue({ deltas: ["first answer"], gate }, { deltas: ["second answer"] });
    const sink = createRecordingSink();
    const first = bot.handleMessage(message("one"), sink);
    const second = bot.handleMessage(message("two"), sink);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(model.requests).toHaveLength(1);
    release();
    await Promise.all([first, second]);
    expect(sink.transcript()).toBe("first answer\nsecond answer");
    expect(store.histories.get("console:ada")?.map((turn) => turn.content)).toEqual([
      "one",
      "first answer",
      "two",
      "second answer",
    ]);
    // The second request saw the first exchange in full.
    expect(model.requests[1]?.messages.map((entry) => entry.content)).toContain("first answer");
  });

  it("runs different conversations concurrently", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    model.enqueue({ deltas: ["slow"], gate });
    const slowSink = createRecordingSink();
    const slow = bot.handleMessage(message("slow one"), slowSink);
    const fastSink = createRecordingSink();
    await bot.handleMessage(
      message("fast one", { conversationId: "console:bob", channelId: "bob" }),
      fastSink,
    );
    expect(fastSink.transcript()).toBe("echo: fast one");
    expect(slowSink.replies).toHaveLength(0);
    release();
    await slow;
    expect(slowSink.transcript()).toBe("slow");
  });

  it("stop() aborts answers in flight and stores no partial turn", async () => {
    const never = new Promise<void>(() => {});
    model.enqueue({ deltas: ["partial"], gate: never });
    const pending = bot.handleMessage(message("long"), createRecordingSink());
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The scripted gate never opens; only the abort lets the handler finish.
    await bot.stop();
    await pending;
    expect(store.histories.get("console:ada")?.some((turn) => turn.role === "assistant") ?? false).toBe(
      false,
    );
  });
});

describe("bot: platform helpers", () => {
  it("claims an event once, and again is a duplicate", async () => {
    expect(await bot.claimEvent("Ev123")).toBe(true);
    expect(await bot.claimEvent("Ev123")).toBe(false);
    expect(await bot.claimEvent("Ev124")).toBe(true);
  });

  it("counts an event as new when the store is down, and logs it", async () => {
    store.down = true;
    expect(await bot.claimEvent("Ev1")).toBe(true);
    expect(logger.lines.some((line) => line.level === "warn" && line.message.includes("de-duplicate"))).toBe(
      true,
    );
  });

  it("seeds a thread's earlier messages as history only when the conversation has none", async () => {
    const earlier = [
      { author: { id: "u1", name: "Ada" }, text: "Our build fails on ARM", fromBot: false, at: 1 },
      { author: { id: "bot", name: "troupe" }, text: "Which compiler?", fromBot: true, at: 2 },
    ];
    expect(await bot.seedThread("slack:T:C:1.0", earlier)).toBe(true);
    expect(store.histories.get("slack:T:C:1.0")?.map((turn) => [turn.role, turn.content])).toEqual([
      ["user", "Our build fails on ARM"],
      ["assistant", "Which compiler?"],
    ]);
    expect(await bot.seedThread("slack:T:C:1.0", earlier)).toBe(false);
    expect(store.histories.get("slack:T:C:1.0")).toHaveLength(2);
    const sink = createRecordingSink();
    await bot.handleMessage(
      message("any ideas?", {
        platform: "slack",
        conversationId: "slack:T:C:1.0",
        serverId: "T",
        channelId: "C",
        isDirect: false,
      }),
      sink,
    );
    // The model saw the thread, speakers labelled because it is a shared channel.
    expect(model.requests[0]?.messages.map((entry) => entry.content)).toEqual([
      "You are the tutor.",
      "Ada: Our build fails on ARM",
      "Which compiler?",
      "Ada: any ideas?",
    ]);
  });
});
