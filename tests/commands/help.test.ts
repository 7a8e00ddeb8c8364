/** `help`: who answers, then every command and chat verb the way it is typed, from the definitions. */
import { beforeEach, describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import type { Command } from "../../src/core/command.js";
import { createBotFixture, message } from "../core/bot-fixture.js";
import { createRecordingSink } from "../helpers/recording-sink.js";

let { bot, model } = createBotFixture();
beforeEach(() => {
  ({ bot, model } = createBotFixture());
});

/** A command a test adds: `roll [4|6|20]`, a chat verb. */
const rollCommand: Command = {
  name: "roll",
  description: "Roll a die",
  chatVerb: true,
  options: [
    {
      name: "sides",
      description: "How many sides",
      type: "string",
      choices: ["4", "6", "20"].map((value) => ({ name: value, value })),
    },
  ],
  async run(context) {
    await context.sink.post(`Rolled a d${context.options.sides ?? "6"}.`);
  },
};

describe("help", () => {
  it("says who answers, and lists the commands and chat verbs as they are typed, to the asker only", async () => {
    const sink = createRecordingSink();
    await bot.runCommand("help", {}, message("/help"), sink);
    expect(sink.replies).toHaveLength(1);
    expect(sink.replies[0]?.options).toEqual({ ephemeral: true });
    expect(sink.transcript()).toBe(
      [
        "You're talking to **Tutor** (`tutor`): The tutor persona",
        "",
        "Commands:",
        "• `/ask [persona:<name>] <prompt>`: Ask a question, optionally to a specific persona",
        "• `/persona [<name>] [conversation|channel|server]`: Show the personas, or switch who answers",
        "• `/reset`: Forget this conversation's history (the persona stays)",
        "• `/sources`: Show which documents the last answer drew on",
        "• `/feedback [good|bad] [<comment>]`: Rate my last answer to you here: good or bad, with an optional comment",
        "• `/forget-me [confirm]`: Delete everything I store about you (asks you to confirm first)",
        "• `/help`: What I can do and how to talk to me",
        "",
        "In a message you can also write:",
        "• `persona [<name>] [conversation|channel|server]`",
        "• `reset`",
        "• `sources`",
        "• `help`",
        "• `as <name>: <question>` to ask another persona just once",
      ].join("\n"),
    );
  });

  it("answers `Help!` as a verb and `help me with fractions` as a prompt", async () => {
    const verb = createRecordingSink();
    await bot.handleMessage(message("Help!"), verb);
    expect(verb.transcript()).toContain("Commands:");
    const prompt = createRecordingSink();
    await bot.handleMessage(message("help me with fractions"), prompt);
    expect(prompt.transcript()).toBe("echo: help me with fractions");
    expect(model.requests).toHaveLength(1);
  });

  it("names the persona chosen here, not the default", async () => {
    await bot.handleMessage(message("persona coder"), createRecordingSink());
    const sink = createRecordingSink();
    await bot.handleMessage(message("help"), sink);
    expect(sink.transcript()).toMatch(/^You're talking to \*\*Coder\*\* \(`coder`\)/);
  });

  it("a command added to the list with the verb flag gets its chat verb and its help lines, nothing else", async () => {
    ({ bot, model } = createBotFixture({ commands: [...commands, rollCommand] }));
    const rolled = createRecordingSink();
    await bot.handleMessage(message("roll 20"), rolled);
    expect(rolled.transcript()).toBe("Rolled a d20.");
    const prompt = createRecordingSink();
    await bot.handleMessage(message("roll the dice for me"), prompt);
    expect(prompt.transcript()).toBe("echo: roll the dice for me");

    const help = createRecordingSink();
    await bot.handleMessage(message("help"), help);
    expect(help.transcript()).toContain("• `/roll [4|6|20]`: Roll a die");
    expect(help.transcript()).toContain("• `roll [4|6|20]`\n");
  });
});
