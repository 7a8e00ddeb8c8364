/**
 * readline behind a held prompt: keys typed while an answer streams are read (the line is kept,
 * Enter still ends it) but nothing is drawn; on release the prompt and what was typed come back on
 * the line below the answer, and readline never moves the cursor up into the answer to redraw.
 */
import { createInterface, type Interface } from "node:readline";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createHeldPrompt } from "../../../src/connectors/console/held-prompt.js";

const ESC = "\u001b";
let readline: Interface | undefined;
afterEach(() => readline?.close());

function open(columns: number) {
  const input = new PassThrough();
  const terminal = Object.assign(new PassThrough(), { columns });
  let screen = "";
  terminal.on("data", (chunk: Buffer) => {
    screen += chunk.toString("utf8");
  });
  const prompt = createHeldPrompt(terminal);
  readline = createInterface({ input, output: prompt.output, terminal: true });
  readline.setPrompt("› ");
  const lines: string[] = [];
  readline.on("line", (line) => lines.push(line));
  const clear = () => {
    screen = "";
  };
  return { input, prompt, readline, lines, screen: () => screen, clear };
}

/** Lets the streams deliver what was written. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("held prompt", () => {
  it("draws nothing while held, keeps the keys, and gives them back on the prompt line", async () => {
    const chat = open(80);
    chat.prompt.hold();
    chat.clear();
    chat.input.write("queued\rhalf a line");
    await settle();
    expect(chat.screen()).toBe("");
    expect(chat.lines).toEqual(["queued"]);
    expect(chat.readline.line).toBe("half a line");

    chat.prompt.release(chat.readline);
    await settle();
    expect(chat.screen().replace(new RegExp(`${ESC}\\[[0-9;]*[A-Za-z]`, "gu"), "")).toBe("› half a line");
    expect(chat.readline.line).toBe("half a line");
    chat.input.write("!\r");
    await settle();
    expect(chat.lines).toEqual(["queued", "half a line!"]);
  });

  it("never moves the cursor up into the answer after a long line was typed unseen", async () => {
    const chat = open(20);
    chat.prompt.hold();
    // Key by key, as typed: readline redraws when the line wraps, and so counts the rows it took.
    for (const key of "a line typed while held that wraps over three rows") {
      chat.input.write(key);
      await settle();
    }
    chat.clear();
    chat.prompt.release(chat.readline);
    await settle();
    // Cursor up (CSI n A) would reach rows above the prompt: the answer.
    expect(chat.screen()).not.toMatch(new RegExp(`${ESC}\\[\\d*A`, "u"));
    expect(chat.screen()).toContain("wraps over three rows");
  });

  it("shows what readline writes while not held", async () => {
    const chat = open(80);
    chat.readline.prompt();
    chat.input.write("hi");
    await settle();
    expect(chat.screen()).toContain("› ");
    expect(chat.screen()).toContain("hi");
    expect(chat.prompt.held).toBe(false);
  });
});
