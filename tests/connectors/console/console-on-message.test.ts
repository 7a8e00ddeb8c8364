/** One terminal line → a command or a chat message, against the real bot and commands (no process). */
import { beforeEach, describe, expect, it } from "vitest";
import { createLineHandler } from "../../../src/connectors/console/console-on-message.js";
import { createBotFixture } from "../../core/bot-fixture.js";
import { createRecordingSink, type RecordingSink } from "../../helpers/recording-sink.js";

let { bot, model, store } = createBotFixture();
let sink: RecordingSink = createRecordingSink();
let handleLine = createLineHandler({ bot, identity: { userName: "ada" }, sink });
beforeEach(() => {
  ({ bot, model, store } = createBotFixture());
  sink = createRecordingSink();
  handleLine = createLineHandler({ bot, identity: { userName: "ada" }, sink });
});

describe("console: one line", () => {
  it("runs a `/` line as its command, options read from the line", async () => {
    await handleLine("/persona coder channel");
    expect(sink.transcript()).toBe("**Coder** now answers in this channel.");
    expect(store.bindings.get("channel:console:-:ada")).toBe("coder");
  });

  it("sends any other line to the bot as a message: a chat verb or a prompt", async () => {
    await handleLine("  persona coder ");
    await handleLine("write fizzbuzz");
    expect(sink.replies.map((reply) => reply.text)).toEqual([
      "**Coder** now answers in this conversation.",
      "echo: write fizzbuzz",
    ]);
    expect(model.requests[0]?.messages[0]?.content).toBe("You are the coder.");
  });

  it("names an unknown command as an error and asks the model nothing", async () => {
    await handleLine("/dance now");
    expect(sink.replies).toEqual([
      {
        kind: "post",
        text: "Unknown command `/dance`. Type `/help` for the list.",
        options: { error: true },
      },
    ]);
    expect(model.requests).toHaveLength(0);
  });

  it("ignores a blank line", async () => {
    await handleLine("   ");
    expect(sink.replies).toHaveLength(0);
    expect(model.requests).toHaveLength(0);
  });
});
