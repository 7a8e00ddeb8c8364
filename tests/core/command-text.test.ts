import { describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import { parseCommandText } from "../../src/core/command-text.js";

function options(line: string) {
  const parsed = parseCommandText(line, commands);
  if (parsed?.kind !== "command") throw new Error(`not a command: ${line}`);
  return { name: parsed.command.name, options: parsed.options };
}

describe("console command rendering", () => {
  it("fills the required prompt with the rest of the line and reads name:value options", () => {
    expect(options("/ask persona:coder how do I reverse a list?")).toEqual({
      name: "ask",
      options: { persona: "coder", prompt: "how do I reverse a list?" },
    });
    expect(options("/ask what is 2+2")).toEqual({ name: "ask", options: { prompt: "what is 2+2" } });
  });

  it("fills optional options in order", () => {
    expect(options("/persona")).toEqual({ name: "persona", options: {} });
    expect(options("/persona storyteller")).toEqual({ name: "persona", options: { name: "storyteller" } });
    expect(options("/persona coder channel")).toEqual({
      name: "persona",
      options: { name: "coder", scope: "channel" },
    });
    expect(options("/persona scope:server tutor")).toEqual({
      name: "persona",
      options: { name: "tutor", scope: "server" },
    });
  });

  it("knows an unknown command from plain text", () => {
    expect(parseCommandText("/dance now", commands)).toEqual({ kind: "unknown", name: "dance" });
    expect(parseCommandText("hello /ask", commands)).toBeUndefined();
  });
});
