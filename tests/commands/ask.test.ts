/** `/ask`: one question, to the current persona or to another one just this once. */
import { beforeEach, describe, expect, it } from "vitest";
import { texts } from "../../src/core/errors.js";
import { createBotFixture, message } from "../core/bot-fixture.js";
import { createRecordingSink } from "../helpers/recording-sink.js";

let { bot, model, store } = createBotFixture();
beforeEach(() => {
  ({ bot, model, store } = createBotFixture());
});

describe("/ask", () => {
  it("answers with the current persona and remembers the exchange", async () => {
    const sink = createRecordingSink();
    await bot.runCommand("ask", { prompt: "what is a prime?" }, message("what is a prime?"), sink);
    expect(sink.replies).toEqual([{ kind: "stream", text: "echo: what is a prime?", persona: "tutor" }]);
    expect(store.histories.get("console:ada")?.map((turn) => turn.content)).toEqual([
      "what is a prime?",
      "echo: what is a prime?",
    ]);
  });

  it("answers as the named persona once, whatever case it is typed in, and binds nothing", async () => {
    const sink = createRecordingSink();
    await bot.runCommand("ask", { prompt: "sort a list", persona: " Coder" }, message("sort a list"), sink);
    await bot.handleMessage(message("and you?"), sink);
    expect(sink.replies.map((reply) => reply.persona)).toEqual(["coder", "tutor"]);
    expect(model.requests[0]?.messages[0]?.content).toBe("You are the coder.");
    expect(store.bindings.size).toBe(0);
  });

  it("refuses an unknown persona with one line listing the others, and asks the model nothing", async () => {
    const sink = createRecordingSink();
    await bot.runCommand("ask", { prompt: "hi", persona: "wizard" }, message("hi"), sink);
    expect(sink.replies).toEqual([
      {
        kind: "post",
        text: texts.unknownPersona("wizard", ["coder", "tutor"]),
        options: { ephemeral: true, error: true },
      },
    ]);
    expect(model.requests).toHaveLength(0);
  });

  it("says the same thing for an unknown persona whichever way it was named", async () => {
    const replies: string[] = [];
    for (const run of [
      (sink: ReturnType<typeof createRecordingSink>) =>
        bot.runCommand("ask", { prompt: "hi", persona: "wizard" }, message("hi"), sink),
      (sink: ReturnType<typeof createRecordingSink>) => bot.handleMessage(message("as wizard: hi"), sink),
      (sink: ReturnType<typeof createRecordingSink>) => bot.handleMessage(message("persona wizard"), sink),
    ]) {
      const sink = createRecordingSink();
      await run(sink);
      replies.push(sink.transcript());
    }
    expect(new Set(replies)).toEqual(new Set([texts.unknownPersona("wizard", ["coder", "tutor"])]));
  });

  it("asks for something to answer when the prompt is empty", async () => {
    const sink = createRecordingSink();
    await bot.runCommand("ask", { prompt: "  " }, message(""), sink);
    expect(sink.transcript()).toBe(texts.emptyMessage);
    expect(model.requests).toHaveLength(0);
  });

  it("is no chat verb: `ask me anything` goes to the model as it is", async () => {
    const sink = createRecordingSink();
    await bot.handleMessage(message("ask me anything"), sink);
    expect(sink.transcript()).toBe("echo: ask me anything");
  });
});
