import { beforeEach, describe, expect, it } from "vitest";
import { readerOf, texts, userMessageFor } from "../../src/core/errors.js";
import { JOINED_TURNS_SEPARATOR } from "../../src/core/prompt.js";
import { ModelError } from "../../src/model/chat-model.js";
import { createRecordingSink } from "../helpers/recording-sink.js";
import { modelError } from "../helpers/scripted-model.js";
import { createBotFixture, message } from "./bot-fixture.js";

// A fresh bot for every test; the first one only gives the names their types.
let { bot, model, store, logger } = createBotFixture();
beforeEach(() => {
  ({ bot, model, store, logger } = createBotFixture());
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
    // A note about the answer, not the answer: the piped terminal shows it on standard error.
    expect(sink.replies[0]?.options).toEqual({ ephemeral: true, note: true });
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
    expect(sink.replies[1]?.options).toEqual({ note: true });
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
    "unauthorized",
  ] as const)("model %s before any text: one short error line, logged with its code", async (code) => {
    const error = modelError(code);
    model.enqueue({ deltas: [], failWith: error });
    const sink = createRecordingSink();
    await bot.handleMessage(message("hi"), sink);
    expect(sink.replies.filter((reply) => reply.kind === "post")).toEqual([
      {
        kind: "post",
        text: userMessageFor(error, "operator"),
        options: { ephemeral: true, error: true },
      },
    ]);
    expect(logger.lines.some((line) => line.level === "error" && line.fields.code === code)).toBe(true);
    // The question is kept; no half answer is stored.
    expect(store.histories.get("console:ada")?.map((turn) => turn.role)).toEqual(["user"]);
  });

  it("after a failed answer, the next request alternates and carries both questions in one user turn", async () => {
    model.enqueue({ deltas: [], failWith: modelError("unavailable") });
    await bot.handleMessage(message("What is a prime?"), createRecordingSink());
    await bot.handleMessage(message("And a composite?"), createRecordingSink());
    expect(model.requests[1]?.messages).toEqual([
      { role: "system", content: "You are the tutor." },
      { role: "user", content: `What is a prime?${JOINED_TURNS_SEPARATOR}And a composite?` },
    ]);
    // Once answered, the history alternates again from there on.
    await bot.handleMessage(message("Thanks"), createRecordingSink());
    expect(model.requests[2]?.messages.map((entry) => entry.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
    ]);
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
    expect(sink.transcript()).toBe(`${texts.storeOutage("Tutor")}\necho: still there?`);
    expect(
      logger.lines.some((line) => line.level === "warn" && line.message.includes("without memory")),
    ).toBe(true);
    store.down = false;
    await bot.handleMessage(message("back?"), createRecordingSink());
    expect(store.histories.get("console:ada")?.map((turn) => turn.content)).toEqual(["back?", "echo: back?"]);
  });

  it("tells the conversation once per outage that memory is down and which persona answers", async () => {
    await bot.handleMessage(message("persona coder"), createRecordingSink());
    store.down = true;
    const first = createRecordingSink();
    await bot.handleMessage(message("still there?"), first);
    // The chosen persona cannot be read: the default answers, and the note says so first.
    expect(first.replies).toEqual([
      { kind: "post", text: texts.storeOutage("Tutor"), options: { ephemeral: true, note: true } },
      { kind: "stream", text: "echo: still there?", persona: "tutor" },
    ]);
    expect(texts.storeOutage("Tutor")).toMatch(/memory is unavailable.*\*\*Tutor\*\* answers/);

    // Same outage: no second note, here or for a one-off persona.
    const second = createRecordingSink();
    await bot.handleMessage(message("and now?"), second);
    await bot.handleMessage(message("as coder: and you?"), second);
    expect(second.replies.map((reply) => reply.kind)).toEqual(["stream", "stream"]);

    // Another conversation hears it too, with the persona that answers there.
    const elsewhere = createRecordingSink();
    await bot.handleMessage(message("as coder: hi", { conversationId: "console:bob" }), elsewhere);
    expect(elsewhere.replies[0]).toEqual({
      kind: "post",
      text: texts.storeOutage("Coder"),
      options: { ephemeral: true, note: true },
    });

    store.down = false;
    const back = createRecordingSink();
    await bot.handleMessage(message("back?"), back);
    expect(back.replies).toEqual([{ kind: "stream", text: "echo: back?", persona: "coder" }]);
  });

  it("still answers when the outage note itself cannot be posted", async () => {
    store.down = true;
    const sink = createRecordingSink();
    const refusing = {
      ...sink,
      async post() {
        throw new Error("platform refused the note");
      },
    };
    await bot.handleMessage(message("hello?"), refusing);
    expect(sink.replies).toEqual([{ kind: "stream", text: "echo: hello?", persona: "tutor" }]);
    expect(logger.lines.some((line) => line.message.includes("store-outage note"))).toBe(true);
  });

  it("a command that fails on the store gets one short line, not a crash", async () => {
    store.down = true;
    const sink = createRecordingSink();
    await bot.handleMessage(message("reset"), sink);
    expect(sink.replies).toEqual([
      {
        kind: "post",
        text: "⚠️ Something went wrong on my side: store is down (test). Please try again.",
        options: { ephemeral: true, error: true },
      },
    ]);
    expect(logger.lines.some((line) => line.level === "error" && line.fields.code === "internal")).toBe(true);
  });
});

describe("bot: who reads a failure", () => {
  const onDiscord = (text: string) =>
    message(text, {
      platform: "discord",
      conversationId: "discord:dm:ada",
      channelId: "dm-ada",
      // As Discord's mapping builds it: a platform user, not the operator.
      author: { id: "ada", name: "Ada", canManageChannel: true, canManageServer: true },
    });

  it("a platform user gets the short line that names no cause; the terminal's person gets the fix", async () => {
    const missing = new ModelError(
      "model-missing",
      'model "llama3.2" is not on the Ollama server: run `ollama pull llama3.2`',
    );
    model.enqueue({ deltas: [], failWith: missing }, { deltas: [], failWith: missing });
    const user = createRecordingSink();
    await bot.handleMessage(onDiscord("hi"), user);
    const posted = (sink: ReturnType<typeof createRecordingSink>) =>
      sink.replies.filter((reply) => reply.kind === "post").map((reply) => reply.text);
    expect(posted(user)).toEqual([userMessageFor(missing)]);
    expect(posted(user).join("\n")).not.toContain("ollama pull");

    const operator = createRecordingSink();
    await bot.handleMessage(message("hi"), operator);
    expect(posted(operator)).toEqual([
      '⚠️ The model isn\'t available: model "llama3.2" is not on the Ollama server: run `ollama pull llama3.2`.',
    ]);
  });

  it("tells the terminal's person what went wrong inside, causes included, on one line", () => {
    const offline = new Error("The client is offline");
    const failure = new Error("redis://127.0.0.1:6379: clearing the history of console:ada failed", {
      cause: offline,
    });
    expect(userMessageFor(failure, "operator")).toBe(
      "⚠️ Something went wrong on my side: redis://127.0.0.1:6379: clearing the history of console:ada failed: The client is offline. Please try again.",
    );
    expect(userMessageFor(failure, "user")).not.toContain("redis");
  });

  it("never sends the terminal's person to the log, which LOG_LEVEL=silent leaves empty", () => {
    const failures = [
      ...(
        [
          "unavailable",
          "rate-limited",
          "timeout",
          "model-missing",
          "context-overflow",
          "bad-response",
          "unauthorized",
        ] as const
      ).map((code) => new ModelError(code, "the cause, and its fix")),
      new Error("a bug"),
    ];
    for (const failure of failures) {
      const line = userMessageFor(failure, readerOf(message("hi")));
      expect(line).not.toMatch(/\blog(ged)?\b/);
      expect(line.split("\n")).toHaveLength(1);
    }
    // A platform user reads that an admin can look; the cause stays out of their chat.
    expect(
      userMessageFor(new ModelError("unauthorized", "OLLAMA_HOST secret"), readerOf(onDiscord("hi"))),
    ).not.toContain("OLLAMA_HOST");
  });
});
