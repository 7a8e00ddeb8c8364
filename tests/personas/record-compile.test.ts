import { describe, expect, it } from "vitest";
import { parsePersonaFile } from "../../src/personas/parser/persona-parser.js";
import { recordCompile } from "../../src/personas/record-compile.js";

const source = { path: "personas/bard.md", fileName: "bard.md" };
const hash = `sha256:${"a".repeat(64)}`;

describe("recordCompile", () => {
  it("adds model and compiled, keeping comments, order and the body byte for byte", () => {
    const text = [
      "---",
      "# The bard, tuned for taverns",
      "name: bard",
      "temperature: 0.9 # warm",
      "examples:",
      "  - user: Sing!",
      "    assistant: La la la.",
      "---",
      "You are a bard.",
      "",
      "  Keep it   rhyming.",
      "",
    ].join("\n");
    const updated = recordCompile(text, { model: "troupe-bard", compiled: hash });
    expect(updated).toBe(
      [
        "---",
        "# The bard, tuned for taverns",
        "name: bard",
        "temperature: 0.9 # warm",
        "examples:",
        "  - user: Sing!",
        "    assistant: La la la.",
        "model: troupe-bard",
        `compiled: ${hash}`,
        "---",
        "You are a bard.",
        "",
        "  Keep it   rhyming.",
        "",
      ].join("\n"),
    );
    expect(parsePersonaFile(updated, source).persona.compiled?.model).toBe("troupe-bard");
  });

  it("replaces an earlier record in place", () => {
    const text = `---\nname: bard\nmodel: old\ncompiled: sha256:${"b".repeat(64)}\ntags: [music]\n---\nSing.`;
    expect(recordCompile(text, { model: "troupe-bard", compiled: hash })).toBe(
      `---\nname: bard\nmodel: troupe-bard\ncompiled: ${hash}\ntags: [music]\n---\nSing.`,
    );
  });

  it("gives a file without front matter one, and keeps CRLF line ends", () => {
    expect(recordCompile("Sing.\n", { model: "troupe-bard", compiled: hash })).toBe(
      `---\nmodel: troupe-bard\ncompiled: ${hash}\n---\nSing.\n`,
    );
    expect(recordCompile("---\r\nname: bard\r\n---\r\nSing.\r\n", { model: "m", compiled: hash })).toBe(
      `---\r\nname: bard\r\nmodel: m\r\ncompiled: ${hash}\r\n---\r\nSing.\r\n`,
    );
  });
});
