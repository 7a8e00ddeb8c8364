/**
 * Notes about an answer ("your message was cut", "the store is down") are not answers: piped, they go
 * to standard error with the failures (without counting as one), so standard output holds answers only.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createConsoleSink } from "../../../src/connectors/console/console-sink.js";

function sinkOn(interactive: boolean) {
  const output = new PassThrough();
  const errorOutput = new PassThrough();
  let shown = "";
  let errors = "";
  output.on("data", (chunk: Buffer) => {
    shown += chunk.toString("utf8");
  });
  errorOutput.on("data", (chunk: Buffer) => {
    errors += chunk.toString("utf8");
  });
  const sink = createConsoleSink({ output, errorOutput, interactive, color: false });
  return { sink, shown: () => shown, errors: () => errors };
}

describe("console sink: notes", () => {
  it("piped: a note goes to standard error and is no failure; a command's reply stays on standard output", async () => {
    const { sink, shown, errors } = sinkOn(false);
    await sink.post("_(Your message was too long…)_", { ephemeral: true, note: true });
    await sink.post("_(cut short)_", { note: true });
    await sink.post("**Coder** now answers in this conversation.");
    expect(errors()).toBe("_(Your message was too long…)_\n_(cut short)_\n");
    expect(shown()).toBe("**Coder** now answers in this conversation.\n");
    expect(sink.failures).toBe(0);
  });

  it("interactive: a note is shown in the chat like any other line", async () => {
    const { sink, shown, errors } = sinkOn(true);
    await sink.post("_(cut short)_", { note: true });
    // Its Markdown rendered for the terminal, as every line there is (no colour here: no italics).
    expect(shown()).toBe("(cut short)\n");
    expect(errors()).toBe("");
  });
});
