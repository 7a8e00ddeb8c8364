import { describe, expect, it } from "vitest";
import { createThinkFilter } from "../../src/core/think-filter.js";

function run(chunks: string[]): string {
  const filter = createThinkFilter();
  return chunks.map((chunk) => filter.push(chunk)).join("") + filter.flush();
}

describe("think filter", () => {
  it("passes ordinary text through unchanged", () => {
    expect(run(["Hello ", "there, ", "friend."])).toBe("Hello there, friend.");
  });

  it("drops a leading <think> block and the whitespace after it", () => {
    expect(run(["<think>plan the answer</think>\n\nThe answer is 4."])).toBe("The answer is 4.");
  });

  it("handles tags split across chunks, one character at a time", () => {
    const text = "<think>secret reasoning</think>Visible <b>bold</b> text";
    expect(run([...text])).toBe("Visible <b>bold</b> text");
  });

  it("drops an unterminated <think> block at the end of the stream", () => {
    expect(run(["Answer first. ", "<think>never closed"])).toBe("Answer first. ");
  });

  it("keeps a '<' that turns out not to start a tag", () => {
    expect(run(["a <", "t", "hin", "g> and 1 < 2"])).toBe("a <thing> and 1 < 2");
  });

  it("never emits the thinking text, even with several blocks", () => {
    const output = run(["<think>one</think>A", " and <think>two</think>B"]);
    expect(output).toBe("A and B");
    expect(output).not.toContain("one");
  });
});
