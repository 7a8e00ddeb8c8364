/** The bot over time: one conversation in order, several at once, stopping, and the platform helpers. */
import { beforeEach, describe, expect, it } from "vitest";
import type { StreamReplyOptions, StreamResult } from "../../src/core/reply-sink.js";
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

describe("bot: stopping never loses a question", () => {
  const never = new Promise<void>(() => {});
  const kept = (conversation = "console:ada") =>
    store.histories.get(conversation)?.map((turn) => [turn.role, turn.content]);
  const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

  it("ends an answer in flight with the interrupted note and keeps its question", async () => {
    model.enqueue({ deltas: ["Once upon"], gate: never });
    const sink = createRecordingSink();
    const pending = bot.handleMessage(message("tell me a story"), sink);
    await pause();
    await bot.stop();
    await pending;
    expect(sink.replies).toEqual([
      {
        kind: "stream",
        text: "Once upon _(interrupted: the model stopped mid-answer)_",
        persona: "tutor",
        interrupted: true,
      },
    ]);
    expect(kept()).toEqual([["user", "tell me a story"]]);
    expect(logger.lines.find((line) => line.message.startsWith("stopping:"))).toMatchObject({
      level: "info",
      message:
        "stopping: the answer so far was posted with the interrupted note; the question is kept in the history for after the restart",
      fields: { conversation: "console:ada" },
    });
  });

  it("says nothing to the user when the stop came before the first word, and logs the kept question", async () => {
    model.enqueue({ deltas: [], gate: never });
    const sink = createRecordingSink();
    const pending = bot.handleMessage(message("are you there?"), sink);
    await pause();
    await bot.stop();
    await pending;
    // No error line: nothing failed, troupe is stopping.
    expect(sink.replies.filter((reply) => reply.kind === "post")).toEqual([]);
    expect(kept()).toEqual([["user", "are you there?"]]);
    expect(logger.lines.find((line) => line.message.startsWith("stopping:"))).toMatchObject({
      level: "warn",
      message:
        "stopping: the answer had not begun; the question is kept in the history for after the restart",
    });
  });

  it("keeps the question of a message queued behind the answer, without asking the model", async () => {
    model.enqueue({ deltas: ["first"], gate: never });
    const sink = createRecordingSink();
    const first = bot.handleMessage(message("one"), sink);
    const second = bot.handleMessage(message("two"), sink);
    await pause();
    await bot.stop();
    await Promise.all([first, second]);
    expect(model.requests).toHaveLength(1);
    expect(kept()).toEqual([
      ["user", "one"],
      ["user", "two"],
    ]);
    expect(logger.lines.filter((line) => line.message.startsWith("stopping: not answered"))).toHaveLength(1);
  });

  it("gives the sink a deadline: a post it cannot make in time is logged and the question kept", async () => {
    model.enqueue({ deltas: ["an answer"] });
    let deadline: AbortSignal | undefined;
    // A platform that holds the first post until the deadline, like a rate limit would.
    const sink = {
      ...createRecordingSink(),
      async stream(deltas: AsyncIterable<string>, options: StreamReplyOptions): Promise<StreamResult> {
        deadline = options.deadline;
        let text = "";
        for await (const delta of deltas) text += delta;
        await new Promise((resolve) => options.deadline?.addEventListener("abort", resolve));
        return { text, cutOff: "first-post" as const };
      },
    };
    const pending = bot.handleMessage(message("hello"), sink);
    await pause();
    await bot.stop(30);
    await pending;
    expect(deadline?.aborted).toBe(true);
    // The model had finished, but nobody saw the answer: only the question is kept.
    expect(kept()).toEqual([["user", "hello"]]);
    expect(logger.lines.find((line) => line.message.startsWith("stopping:"))).toMatchObject({
      level: "warn",
      message:
        "stopping: the answer could not be posted before exit; the question is kept in the history for after the restart",
      fields: { conversation: "console:ada", cutOff: "first-post" },
    });
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
