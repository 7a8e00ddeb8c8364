import { beforeEach, describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import { type Bot, createBot } from "../../src/core/bot.js";
import { texts, userMessageFor } from "../../src/core/errors.js";
import type { IncomingMessage } from "../../src/core/message.js";
import { ModelError } from "../../src/model/chat-model.js";
import { staticCatalog, testPersona } from "../helpers/personas.js";
import { createRecordingLogger, type RecordingLogger } from "../helpers/recording-logger.js";
import { createRecordingSink } from "../helpers/recording-sink.js";
import { createScriptedModel, modelError, type ScriptedModel } from "../helpers/scripted-model.js";
import { createSwitchableStore, type SwitchableStore } from "../helpers/switchable-store.js";

const personas = staticCatalog([
  testPersona("tutor", { systemPrompt: "You are the tutor.", greeting: "Hi, learner!" }),
  testPersona("coder", { systemPrompt: "You are the coder.", temperature: 0.1, maxTokens: 300 }),
]);

function message(text: string, overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    platform: "console",
    conversationId: "console:ada",
    channelId: "ada",
    author: { id: "ada", name: "Ada", canManageChannel: true, canManageServer: true },
    text,
    isDirect: true,
    attachments: [],
    ...overrides,
  };
}

let model: ScriptedModel;
let store: SwitchableStore;
let logger: RecordingLogger;
let bot: Bot;

beforeEach(() => {
  model = createScriptedModel();
  store = createSwitchableStore();
  logger = createRecordingLogger();
  bot = createBot({
    model,
    store,
    personas,
    commands,
    logger,
    settings: { defaultPersona: "tutor", contextTokens: 4096, replyTokens: 512 },
  });
});

describe("bot: answering", () => {
  it("streams the answer with the default persona's system prompt and remembers the exchange", async () => {
    const sink = createRecordingSink();
    await bot.handleMessage(message("What is a prime?"), sink);
    expect(sink.replies).toEqual([{ kind: "stream", text: "echo: What is a prime?", persona: "tutor" }]);
    expect(model.requests[0]?.messages[0]).toEqual({ role: "system", content: "You are the tutor." });
    expect(store.histories.get("console:ada")?.map((turn) => [turn.role, turn.content])).toEqual([
      ["user", "What is a prime?"],
      ["assistant", "echo: What is a prime?"],
    ]);
  });

  it("sends history on the next message, so the thread is remembered", async () => {
    await bot.handleMessage(message("My name is Ada."), createRecordingSink());
    await bot.handleMessage(message("What is my name?"), createRecordingSink());
    const contents = model.requests[1]?.messages.map((entry) => entry.content);
    expect(contents).toEqual([
      "You are the tutor.",
      "My name is Ada.",
      "echo: My name is Ada.",
      "What is my name?",
    ]);
  });

  it("passes the persona's sampling settings to the model", async () => {
    await bot.handleMessage(message("as coder: sort a list"), createRecordingSink());
    expect(model.requests[0]).toMatchObject({ temperature: 0.1, maxTokens: 300 });
    expect(model.requests[0]?.messages.at(-1)?.content).toBe("sort a list");
  });

  it("strips <think> blocks from what users see and from stored history", async () => {
    model.enqueue({ deltas: ["<thi", "nk>secret plan</th", "ink>", "The answer."] });
    const sink = createRecordingSink();
    await bot.handleMessage(message("q"), sink);
    expect(sink.transcript()).toBe("The answer.");
    expect(JSON.stringify(store.histories.get("console:ada"))).not.toContain("secret plan");
  });

  it("answers an empty message with a clear hint and no model call", async () => {
    const sink = createRecordingSink();
    await bot.handleMessage(message("   "), sink);
    expect(sink.transcript()).toBe(texts.emptyMessage);
    expect(model.requests).toHaveLength(0);
  });

  it("cuts a 200,000-character message with a visible note and still answers", async () => {
    const sink = createRecordingSink();
    await bot.handleMessage(message("z".repeat(200_000)), sink);
    expect(sink.replies[0]?.text).toContain("Your message was too long");
    expect(sink.replies[1]?.kind).toBe("stream");
    const sent = model.requests[0]?.messages.at(-1)?.content ?? "";
    expect(sent.length).toBeLessThan(200_000);
    expect(sent).toContain("the rest of this message was cut");
  });

  it("notes an answer cut by its length limit", async () => {
    model.enqueue({ deltas: ["partial"], reason: "length" });
    const sink = createRecordingSink();
    await bot.handleMessage(message("long story"), sink);
    expect(sink.transcript()).toBe(`partial\n${texts.lengthNote}`);
  });
});

describe("bot: personas in chat", () => {
  it("switches persona with the `persona <name>` verb, and the next answer uses it", async () => {
    const sink = createRecordingSink();
    await bot.handleMessage(message("persona coder"), sink);
    expect(sink.transcript()).toContain("**Coder** now answers in this conversation");
    await bot.handleMessage(message("hello"), sink);
    expect(model.requests[0]?.messages[0]?.content).toBe("You are the coder.");
    expect(sink.replies.at(-1)?.persona).toBe("coder");
  });

  it("says who answers and why with `persona` alone", async () => {
    const sink = createRecordingSink();
    await bot.handleMessage(message("persona"), sink);
    expect(sink.transcript()).toContain("Talking to **Tutor** (`tutor`), the default.");
    await bot.handleMessage(message("persona coder"), createRecordingSink());
    await bot.handleMessage(message("persona"), sink);
    expect(sink.transcript()).toContain("Talking to **Coder** (`coder`), chosen for this conversation.");
    expect(sink.transcript()).toContain("• `tutor` Tutor: The tutor persona");
  });

  it("lists personas for an unknown name, and changes nothing", async () => {
    const sink = createRecordingSink();
    await bot.handleMessage(message("persona wizard"), sink);
    expect(sink.transcript()).toContain("There's no persona called `wizard`");
    expect(sink.transcript()).toContain("`coder`");
    expect(store.bindings.size).toBe(0);
  });

  it("answers a one-off `as <name>:` without changing the binding", async () => {
    const sink = createRecordingSink();
    await bot.handleMessage(message("as coder: hi"), sink);
    await bot.handleMessage(message("and you?"), sink);
    expect(sink.replies.map((reply) => reply.persona)).toEqual(["coder", "tutor"]);
  });

  it("refuses an unknown one-off persona with the list", async () => {
    const sink = createRecordingSink();
    await bot.handleMessage(message("as wizard: hi"), sink);
    expect(sink.transcript()).toContain("There's no persona called `wizard`");
    expect(model.requests).toHaveLength(0);
  });

  it("refuses channel scope to someone who cannot manage the channel", async () => {
    const sink = createRecordingSink();
    const guest = message("persona coder channel", {
      platform: "discord",
      conversationId: "discord:g:c",
      serverId: "g",
      channelId: "c",
      isDirect: false,
      author: { id: "u", name: "Guest", canManageChannel: false, canManageServer: false },
    });
    await bot.handleMessage(guest, sink);
    expect(sink.transcript()).toContain("Only people who can manage this channel");
    expect(store.bindings.size).toBe(0);
  });

  it("`reset` forgets the history and keeps the persona", async () => {
    await bot.handleMessage(message("persona coder"), createRecordingSink());
    await bot.handleMessage(message("remember me"), createRecordingSink());
    const sink = createRecordingSink();
    await bot.handleMessage(message("reset"), sink);
    expect(store.histories.has("console:ada")).toBe(false);
    expect(sink.transcript()).toContain("**Coder** is still here");
  });
});

describe("bot: faults", () => {
  it.each([
    "unavailable",
    "rate-limited",
    "timeout",
    "model-missing",
    "context-overflow",
    "bad-response",
  ] as const)("model %s before any text: one short error line, logged with its code", async (code) => {
    model.enqueue({ deltas: [], failWith: modelError(code) });
    const sink = createRecordingSink();
    await bot.handleMessage(message("hi"), sink);
    expect(sink.replies.filter((reply) => reply.kind === "post")).toEqual([
      {
        kind: "post",
        text: userMessageFor(new ModelError(code, "x")),
        options: { ephemeral: true, error: true },
      },
    ]);
    expect(logger.lines.some((line) => line.level === "error" && line.fields.code === code)).toBe(true);
    // The question is kept; no half answer is stored.
    expect(store.histories.get("console:ada")?.map((turn) => turn.role)).toEqual(["user"]);
  });

  it("a stream cut mid-way shows what came plus an interrupted note, and stores no corrupted turn", async () => {
    model.enqueue({ deltas: ["Once upon ", "a time"], failWith: modelError("bad-response") });
    const sink = createRecordingSink();
    await bot.handleMessage(message("tell a story"), sink);
    expect(sink.transcript()).toBe(`Once upon a time ${texts.interruptedNote}`);
    const history = store.histories.get("console:ada") ?? [];
    expect(history.map((turn) => turn.role)).toEqual(["user"]);
    expect(JSON.stringify(history)).not.toContain("Once upon");
  });

  it("answers without memory when the store is down, and says so in the log", async () => {
    store.down = true;
    const sink = createRecordingSink();
    await bot.handleMessage(message("still there?"), sink);
    expect(sink.transcript()).toBe("echo: still there?");
    expect(
      logger.lines.some((line) => line.level === "warn" && line.message.includes("without memory")),
    ).toBe(true);
    store.down = false;
    await bot.handleMessage(message("back?"), createRecordingSink());
    expect(store.histories.get("console:ada")?.map((turn) => turn.content)).toEqual(["back?", "echo: back?"]);
  });

  it("a command that fails on the store gets one short line, not a crash", async () => {
    store.down = true;
    const sink = createRecordingSink();
    await bot.handleMessage(message("reset"), sink);
    expect(sink.replies).toEqual([
      { kind: "post", text: userMessageFor(new Error("x")), options: { ephemeral: true, error: true } },
    ]);
    expect(logger.lines.some((line) => line.level === "error" && line.fields.code === "internal")).toBe(true);
  });
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
