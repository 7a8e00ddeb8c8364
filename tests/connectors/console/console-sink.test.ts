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

describe("console sink: Markdown", () => {
  const MARKDOWN = ["Use **bo", "ld** and `code`.\n``", "`py\nprint(1)\n", "```\n"];

  it("renders a streamed answer on a colour terminal, the model's text kept for history", async () => {
    const { sink, shown } = sinkOn({ interactive: true, color: true });
    const result = await sink.stream(deltas(MARKDOWN), options);
    expect(shown()).toBe(
      `${ESC}[1m🎓 Tutor${ESC}[22m: Use ${ESC}[1mbold${ESC}[22m and ${ESC}[36mcode${ESC}[39m.\n` +
        `  ${ESC}[2m── py${ESC}[22m\n    print(1)\n  ${ESC}[2m──${ESC}[22m\n\n`,
    );
    expect(result.text).toBe(MARKDOWN.join(""));
  });

  it("keeps the layout but writes no escape sequence when colour is off", async () => {
    const { sink, shown } = sinkOn({ interactive: true, color: false });
    await sink.stream(deltas(MARKDOWN), options);
    expect(shown()).toBe("🎓 Tutor: Use bold and `code`.\n  ── py\n    print(1)\n  ──\n\n");
  });

  it("writes exactly the model's text when piped", async () => {
    const { sink, shown } = sinkOn({ interactive: false, color: false });
    await sink.stream(deltas(MARKDOWN), options);
    expect(shown()).toBe(`${MARKDOWN.join("")}\n`);
  });

  it("renders after neutralising: a styled span of hostile text stays harmless", async () => {
    const { sink, shown } = sinkOn({ interactive: true, color: true });
    await sink.stream(deltas(["**", `${ESC}[2J`, "**"]), options);
    expect(shown()).toBe(`${ESC}[1m🎓 Tutor${ESC}[22m: ${ESC}[1m^[[2J${ESC}[22m\n`);
  });

  it("puts the interrupted note on the answer's last line, then closes an open code block", async () => {
    const { sink, shown } = sinkOn({ interactive: true, color: false });
    await sink.stream(deltas(["```sh\nrm -rf bu"], true), options);
    expect(shown()).toBe("🎓 Tutor: \n  ── sh\n    rm -rf bu (interrupted)\n  ──\n");
  });

  it("renders the bot's own replies on a terminal (dimmed when only a notice), not when piped", async () => {
    const reply = "**Pirate** now answers. Try `/help`.";
    const terminal = sinkOn({ interactive: true, color: true });
    await terminal.sink.post(reply);
    await terminal.sink.post("Say *something*.", { ephemeral: true });
    expect(terminal.shown()).toBe(
      `${ESC}[1mPirate${ESC}[22m now answers. Try ${ESC}[36m/help${ESC}[39m.\n` +
        `${ESC}[2mSay ${ESC}[3msomething${ESC}[23m.${ESC}[22m\n`,
    );
    const piped = sinkOn({ interactive: false, color: false });
    await piped.sink.post(reply);
    expect(piped.shown()).toBe(`${reply}\n`);
  });
});
