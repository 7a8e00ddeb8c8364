import { describe, expect, it } from "vitest";
import { parseText } from "../../src/core/text-verbs.js";

describe("text verbs", () => {
  it("reads `persona` alone and `persona <name>` as the persona command", () => {
    expect(parseText("persona")).toEqual({
      kind: "command",
      name: "persona",
      options: { name: undefined, scope: undefined },
    });
    expect(parseText("  Persona Tutor ")).toEqual({
      kind: "command",
      name: "persona",
      options: { name: "tutor", scope: undefined },
    });
  });

  it("reads a scope after the name, and Slack's `workspace` as the server scope", () => {
    expect(parseText("persona coder channel")).toMatchObject({
      options: { name: "coder", scope: "channel" },
    });
    expect(parseText("persona coder scope:workspace")).toMatchObject({
      options: { name: "coder", scope: "server" },
    });
  });

  it("reads `reset` and `help` only when they are the whole message", () => {
    expect(parseText("reset")).toEqual({ kind: "command", name: "reset", options: {} });
    expect(parseText("Help!")).toEqual({ kind: "command", name: "help", options: {} });
    expect(parseText("help me with fractions")).toEqual({ kind: "prompt", text: "help me with fractions" });
    expect(parseText("reset my router please")).toEqual({ kind: "prompt", text: "reset my router please" });
  });

  it("reads `as <name>: <prompt>` as a one-off persona, keeping the prompt's lines", () => {
    expect(parseText("as coder: write fizzbuzz\nin rust")).toEqual({
      kind: "one-off",
      persona: "coder",
      prompt: "write fizzbuzz\nin rust",
    });
  });

  it("leaves ordinary sentences alone", () => {
    expect(parseText("as I said, the persona of a hero matters")).toEqual({
      kind: "prompt",
      text: "as I said, the persona of a hero matters",
    });
    expect(parseText("personality tests are fun")).toMatchObject({ kind: "prompt" });
  });
});
