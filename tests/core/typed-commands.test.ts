/** Typed commands: `/…` lines, chat verbs read from the command definitions, the one-off, and the usage help shows. */
import { describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import type { Command } from "../../src/core/command.js";
import {
  chatVerbUsage,
  commandUsage,
  parseChatMessage,
  parseCommandLine,
} from "../../src/core/typed-commands.js";

function line(text: string) {
  const parsed = parseCommandLine(text, commands);
  if (parsed?.kind !== "command") throw new Error(`not a command: ${text}`);
  return { name: parsed.command.name, options: parsed.options };
}

/** A chat message as `{ verb, options }`, or the kind it was read as instead. */
function chat(text: string, list: readonly Command[] = commands) {
  const parsed = parseChatMessage(text, list);
  if (parsed.kind !== "command") return parsed;
  return { verb: parsed.command.name, options: parsed.options };
}

describe("command lines (terminal, Slack slash-command text)", () => {
  it("fills the required prompt with the rest of the line and reads name:value options", () => {
    expect(line("/ask persona:coder how do I reverse a list?")).toEqual({
      name: "ask",
      options: { persona: "coder", prompt: "how do I reverse a list?" },
    });
    expect(line("/ask what is 2+2")).toEqual({ name: "ask", options: { prompt: "what is 2+2" } });
  });

  it("fills optional options in order", () => {
    expect(line("/persona")).toEqual({ name: "persona", options: {} });
    expect(line("/persona storyteller")).toEqual({ name: "persona", options: { name: "storyteller" } });
    expect(line("/persona coder channel")).toEqual({
      name: "persona",
      options: { name: "coder", scope: "channel" },
    });
    expect(line("/persona scope:server tutor")).toEqual({
      name: "persona",
      options: { name: "tutor", scope: "server" },
    });
  });

  it("reads Slack's `workspace` as the server scope, and passes other values on for the command to judge", () => {
    expect(line("/persona coder workspace").options).toEqual({ name: "coder", scope: "server" });
    expect(line("/persona coder everywhere").options).toEqual({ name: "coder", scope: "everywhere" });
  });

  it("knows an unknown command from plain text", () => {
    expect(parseCommandLine("/dance now", commands)).toEqual({ kind: "unknown", name: "dance" });
    expect(parseCommandLine("hello /ask", commands)).toBeUndefined();
  });
});

describe("chat verbs", () => {
  it("reads `persona` alone and `persona <name>` as the persona command", () => {
    expect(chat("persona")).toEqual({ verb: "persona", options: {} });
    expect(chat("  Persona Tutor ")).toEqual({ verb: "persona", options: { name: "tutor" } });
  });

  it("reads a scope after the name, by position or by name, and Slack's `workspace` as the server scope", () => {
    expect(chat("persona coder channel")).toEqual({
      verb: "persona",
      options: { name: "coder", scope: "channel" },
    });
    expect(chat("persona coder scope:workspace")).toEqual({
      verb: "persona",
      options: { name: "coder", scope: "server" },
    });
    expect(chat("persona coder scope: Channel")).toMatchObject({ options: { scope: "channel" } });
    expect(chat("persona scope=server coder")).toMatchObject({ options: { name: "coder", scope: "server" } });
  });

  it("reads `reset` and `help` only when they are the whole message, sentence ending allowed", () => {
    expect(chat("reset")).toEqual({ verb: "reset", options: {} });
    expect(chat("reset.")).toEqual({ verb: "reset", options: {} });
    expect(chat("Help!")).toEqual({ verb: "help", options: {} });
    expect(chat("help me with fractions")).toEqual({ kind: "prompt", text: "help me with fractions" });
    expect(chat("reset my router please")).toEqual({ kind: "prompt", text: "reset my router please" });
    expect(chat("reset the router please")).toEqual({ kind: "prompt", text: "reset the router please" });
    expect(chat("help?")).toMatchObject({ kind: "prompt" });
  });

  it("is a prompt when the values do not fit the options", () => {
    // Not a choice of scope.
    expect(chat("persona coder please")).toMatchObject({ kind: "prompt" });
    // Not a persona name.
    expect(chat("persona of a hero")).toMatchObject({ kind: "prompt" });
    expect(chat("persona: the mask an actor wears")).toMatchObject({ kind: "prompt" });
    expect(chat("persona coder scope:galaxy")).toMatchObject({ kind: "prompt" });
    expect(chat(`persona ${"x".repeat(33)}`)).toMatchObject({ kind: "prompt" });
  });

  it("never reads a command that is not a chat verb: `ask me anything` is a prompt", () => {
    expect(chat("ask me anything")).toEqual({ kind: "prompt", text: "ask me anything" });
    expect(chat("ask persona:coder hi")).toMatchObject({ kind: "prompt" });
  });

  it("reads `as <name>: <prompt>` as a one-off persona, keeping the prompt's lines", () => {
    expect(chat("as coder: write fizzbuzz\nin rust")).toEqual({
      kind: "one-off",
      persona: "coder",
      prompt: "write fizzbuzz\nin rust",
    });
    expect(chat("As Coder : hi")).toEqual({ kind: "one-off", persona: "coder", prompt: "hi" });
  });

  it("leaves ordinary sentences alone", () => {
    expect(chat("as I said, the persona of a hero matters")).toEqual({
      kind: "prompt",
      text: "as I said, the persona of a hero matters",
    });
    expect(chat("personality tests are fun")).toMatchObject({ kind: "prompt" });
    expect(chat("/persona coder")).toMatchObject({ kind: "prompt" });
  });

  it("derives a new command's verb from its definition alone", () => {
    const roll: Command = {
      name: "roll",
      description: "Roll a die",
      chatVerb: true,
      options: [
        {
          name: "sides",
          description: "How many sides",
          type: "string",
          choices: [
            { name: "six", value: "6" },
            { name: "twenty", value: "20" },
          ],
        },
      ],
      run: async () => {},
    };
    const list = [...commands, roll];
    expect(chat("roll", list)).toEqual({ verb: "roll", options: {} });
    expect(chat("Roll 20!", list)).toEqual({ verb: "roll", options: { sides: "20" } });
    expect(chat("roll twenty", list)).toEqual({ verb: "roll", options: { sides: "20" } });
    expect(chat("roll the dice for me", list)).toMatchObject({ kind: "prompt" });
    expect(chat("roll 7", list)).toMatchObject({ kind: "prompt" });
    // Without the flag it is a slash command only.
    expect(chat("roll 20", [...commands, { ...roll, chatVerb: false }])).toMatchObject({ kind: "prompt" });
  });
});

describe("usage lines", () => {
  const byName = (name: string) => commands.find((command) => command.name === name) as Command;

  it("shows each command the way its line is read", () => {
    expect(commands.map(commandUsage)).toEqual([
      "/ask [persona:<name>] <prompt>",
      "/persona [<name>] [conversation|channel|server]",
      "/reset",
      "/sources",
      "/feedback [good|bad] [<comment>]",
      "/forget-me [confirm]",
      "/help",
    ]);
  });

  it("round-trips: the usage filled in parses to the options it names", () => {
    expect(line("/ask persona:coder why?").options).toEqual({ persona: "coder", prompt: "why?" });
    expect(chat("persona coder server")).toEqual({
      verb: "persona",
      options: { name: "coder", scope: "server" },
    });
  });

  it("gives a chat verb's usage, and none for `ask`", () => {
    expect(chatVerbUsage(byName("persona"))).toBe("persona [<name>] [conversation|channel|server]");
    expect(chatVerbUsage(byName("reset"))).toBe("reset");
    expect(chatVerbUsage(byName("ask"))).toBeUndefined();
  });
});
