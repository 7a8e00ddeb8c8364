import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createConsoleSink, speakerHeading } from "../../../src/connectors/console/console-sink.js";

const ESC = "\u001b";

function sinkOn(options: { interactive: boolean; color: boolean }) {
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
  const sink = createConsoleSink({ output, errorOutput, ...options });
  return { sink, shown: () => shown, errors: () => errors };
}

async function* deltas(parts: string[], failAtEnd = false): AsyncGenerator<string> {
  for (const part of parts) yield part;
  if (failAtEnd) throw new Error("model broke off");
}

const persona = { name: "tutor", displayName: "Tutor", emoji: "🎓" };
const options = { persona, interruptedNote: "(interrupted)" };

describe("console sink: model text is shown, not obeyed", () => {
  it("neutralises escape sequences split across deltas and keeps its own styling raw", async () => {
    const { sink, shown } = sinkOn({ interactive: true, color: true });
    const parts = ["Hi", `${ESC}]0;pw`, `ned\u0007 ${ESC}`, "[2J", "done 🎓\u009b", "2J"];
    const result = await sink.stream(deltas(parts), options);
    expect(shown()).toBe(`${ESC}[1m🎓 Tutor${ESC}[22m: Hi^[]0;pwned^G ^[[2Jdone 🎓^[[2J\n`);
    // History keeps what the model said; only the terminal is protected.
    expect(result.text).toBe(parts.join(""));
  });

  it("neutralises piped answers too, keeping tabs and newlines", async () => {
    const { sink, shown } = sinkOn({ interactive: false, color: false });
    await sink.stream(deltas(["a\tb\nc", `${ESC}[2`, "J\r", "\n"]), options);
    expect(shown()).toBe("a\tb\nc^[[2J\r\n\n");
  });

  it("flushes a held-back character before the interrupted note", async () => {
    const { sink, shown } = sinkOn({ interactive: false, color: false });
    const result = await sink.stream(deltas(["cut here\r"], true), options);
    expect(result.error).toBeInstanceOf(Error);
    expect(shown()).toBe("cut here^M (interrupted)\n");
  });

  it("neutralises posted text (command replies carry persona descriptions and greetings)", async () => {
    const { sink, shown, errors } = sinkOn({ interactive: false, color: false });
    await sink.post(`**Pirate** now answers.\n\nAhoy${ESC}]52;c;ZXZpbA==\u0007!`);
    await sink.post(`bad ${ESC}[2J`, { error: true });
    expect(shown()).toBe("**Pirate** now answers.\n\nAhoy^[]52;c;ZXZpbA==^G!\n");
    expect(errors()).toBe("bad ^[[2J\n");
  });

  it("neutralises a persona's display name and emoji in the heading", () => {
    expect(speakerHeading({ name: "x", displayName: `Evil${ESC}[2J`, emoji: "\u009b2J" })).toBe(
      "^[[2J Evil^[[2J",
    );
    expect(speakerHeading(persona)).toBe("🎓 Tutor");
  });
});
