import { describe, expect, it } from "vitest";
import { openFenceAtEnd, splitText } from "../../../src/connectors/shared/split-text.js";

/** Every chunk renders on its own: fences balanced within it. */
function balanced(chunk: string): boolean {
  return openFenceAtEnd(chunk) === undefined;
}

describe("splitText", () => {
  it("leaves a short text whole", () => {
    expect(splitText("hello", 2000)).toEqual(["hello"]);
  });

  it("cuts at paragraph boundaries first, and every chunk fits", () => {
    const paragraphs = Array.from({ length: 30 }, (_, index) =>
      `Paragraph ${index}. ${"word ".repeat(20)}`.trim(),
    );
    const chunks = splitText(paragraphs.join("\n\n"), 500);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(500);
      expect(chunk.startsWith("Paragraph ")).toBe(true);
      expect(chunk.endsWith(".") || chunk.endsWith("word")).toBe(true);
    }
    expect(chunks.join("\n\n")).toBe(paragraphs.join("\n\n"));
  });

  it("cuts at a line when there is no paragraph break, then at a space, never mid-word", () => {
    const lines = Array.from({ length: 100 }, (_, index) => `line ${index}`).join("\n");
    for (const chunk of splitText(lines, 120)) expect(chunk).toMatch(/^line \d+(\nline \d+)*$/);
    const words = "alpha beta gamma delta ".repeat(40).trim();
    const chunks = splitText(words, 100);
    expect(chunks.join(" ")).toBe(words);
    for (const chunk of chunks) expect(chunk).toMatch(/^(alpha|beta|gamma|delta)( |$)/);
  });

  it("closes a code block cut by a split and reopens it with its language", () => {
    const code = Array.from({ length: 80 }, (_, index) => `  console.log(${index});`).join("\n");
    const text = `Here is the code:\n\n\`\`\`ts\n${code}\n\`\`\`\n\nThat's all.`;
    const chunks = splitText(text, 400);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(400);
      expect(balanced(chunk)).toBe(true);
    }
    expect(chunks[1]?.startsWith("```ts\n")).toBe(true);
    expect(chunks.at(-1)?.endsWith("That's all.")).toBe(true);
    // Nothing is lost: every line of code is in some chunk.
    for (let index = 0; index < 80; index++)
      expect(chunks.some((chunk) => chunk.includes(`console.log(${index});`))).toBe(true);
  });

  it("knows a closed fence from an open one, with ~~~ and longer markers too", () => {
    expect(openFenceAtEnd("```py\nx = 1\n```")).toBeUndefined();
    expect(openFenceAtEnd("~~~\ncode")).toEqual({ line: "~~~", marker: "~~~" });
    expect(openFenceAtEnd("````md\n```\ninner\n```\n")?.marker).toBe("````");
  });

  it("cuts a text with no spaces hard, without splitting an emoji", () => {
    const text = "🎭".repeat(300);
    const chunks = splitText(text, 101);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(101);
      expect(chunk.length % 2).toBe(0);
    }
    expect(chunks.join("")).toBe(text);
  });
});
