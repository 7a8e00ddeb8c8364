import { describe, expect, it } from "vitest";
import {
  PersonaFileError,
  parsePersona,
  parsePersonaFile,
} from "../../../src/personas/parser/persona-parser.js";

const source = { path: "personas/tutor.md", fileName: "tutor.md" };

/** Parses, expecting a PersonaFileError; returns it for assertions. */
function rejection(text: string, from = source): PersonaFileError {
  try {
    parsePersona(text, from);
  } catch (error) {
    if (error instanceof PersonaFileError) return error;
    throw error;
  }
  throw new Error("expected the persona to be rejected");
}

describe("parsePersona: accepted files", () => {
  it("takes a body-only file: name from the file, display name and description derived", () => {
    const persona = parsePersona("You are a patient tutor. You ask questions first.\n", source);
    expect(persona).toEqual({
      name: "tutor",
      displayName: "Tutor",
      description: "You are a patient tutor.",
      systemPrompt: "You are a patient tutor. You ask questions first.",
      examples: [],
      tags: [],
      source: "personas/tutor.md",
    });
  });

  it("maps every front-matter field to the Persona", () => {
    const text = [
      "---",
      "name: code-review",
      "display_name: Code Reviewer",
      "description: Reviews your code.",
      "avatar: https://example.com/reviewer.png",
      "emoji: 🔍",
      "greeting: |",
      "  Paste a diff.",
      "temperature: 0.2",
      "top_p: 0.9",
      "max_tokens: 800",
      'stop: ["\\n\\nUser:"]',
      "examples:",
      "  - user: Is this fine?",
      "    assistant: Mostly. Rename `x`.",
      "post_history: >",
      "  Stay terse.",
      "tags: [code, review]",
      "model: llama3.1-reviewer",
      "---",
      "",
      "You review code.",
      "",
    ].join("\n");
    expect(parsePersona(text, { path: "personas/reviewer.md", fileName: "reviewer.md" })).toEqual({
      name: "code-review",
      displayName: "Code Reviewer",
      description: "Reviews your code.",
      avatar: "https://example.com/reviewer.png",
      emoji: "🔍",
      greeting: "Paste a diff.",
      systemPrompt: "You review code.",
      temperature: 0.2,
      topP: 0.9,
      maxTokens: 800,
      stop: ["\n\nUser:"],
      examples: [{ user: "Is this fine?", assistant: "Mostly. Rename `x`." }],
      postHistory: "Stay terse.",
      tags: ["code", "review"],
      model: "llama3.1-reviewer",
      source: "personas/reviewer.md",
    });
  });

  it("accepts CRLF line endings and a UTF-8 byte-order mark", () => {
    const persona = parsePersona("\uFEFF---\r\ntemperature: 0.5\r\n---\r\nBe kind.\r\n", source);
    expect(persona.temperature).toBe(0.5);
    expect(persona.systemPrompt).toBe("Be kind.");
  });

  it("accepts an empty front matter block", () => {
    expect(parsePersona("---\n---\nBe kind.", source).name).toBe("tutor");
  });

  it("reads `adapter` as a LoRA file path relative to the persona file, apart from `model`", () => {
    const parsed = parsePersonaFile("---\nmodel: a\nadapter: loras/tutor.gguf\n---\nBe kind.", {
      path: "/srv/personas/tutor.md",
      fileName: "tutor.md",
    });
    expect(parsed.persona.adapter).toBe("/srv/personas/loras/tutor.gguf");
    expect(parsed.persona.model).toBe("a");
    expect(parsed.adapterLine).toBe(3);
  });

  it("knows a compile is current from the recorded hash, and stale once the prompt is edited", () => {
    const material =
      "---\nname: tutor\ntemperature: 0.3\nexamples:\n  - user: hi\n    assistant: hello\n---\nBe kind.";
    const { compileHash: hash } = parsePersonaFile(material, source);
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const recorded = material.replace(
      "---\nBe kind.",
      `model: troupe-tutor\ncompiled: ${hash}\n---\nBe kind.`,
    );
    const current = parsePersona(recorded, source);
    expect(current.compiled).toEqual({ model: "troupe-tutor", current: true });
    expect(current.model).toBe("troupe-tutor");
    // Lore and post_history are sent each turn: editing them keeps the compile current.
    const withReminder = recorded.replace("name: tutor", "name: tutor\npost_history: Be brief.");
    expect(parsePersona(withReminder, source).compiled?.current).toBe(true);
    for (const edited of [
      recorded.replace("Be kind.", "Be very kind."),
      recorded.replace("temperature: 0.3", "temperature: 0.4"),
      recorded.replace("assistant: hello", "assistant: hey"),
    ]) {
      const stale = parsePersona(edited, source);
      expect(stale.compiled).toEqual({ model: "troupe-tutor", current: false });
      // The compiled model holds the old prompt: a stale persona answers on the base model.
      expect(stale.model).toBeUndefined();
    }
  });

  it("rejects a compiled field that is not a sha256 hash", () => {
    expect(rejection("---\ncompiled: abc\n---\nBe kind.").message).toMatch(
      /field "compiled": must be the sha256/,
    );
  });

  it("derives a display name word by word and a description without Markdown, clipped to 100", () => {
    const long = `# Heading\n\nYou are **the** reviewer who ${"reads very carefully ".repeat(10)}. Second sentence.`;
    const persona = parsePersona(long, { path: "p/code-review.md", fileName: "code-review.md" });
    expect(persona.displayName).toBe("Code Review");
    expect(persona.description.length).toBeLessThanOrEqual(100);
    expect(persona.description).toMatch(/^You are the reviewer who reads very carefully .*…$/);
  });

  it("reports the line of the name field for duplicate-name messages", () => {
    expect(parsePersonaFile("---\ntemperature: 1\nname: tutor\n---\nHi.", source).nameLine).toBe(3);
  });
});

describe("parsePersona: rejected files name the file, the line and the field", () => {
  it("rejects an unknown field and suggests the intended one", () => {
    const error = rejection("---\nname: tutor\ntemprature: 0.5\n---\nBe kind.");
    expect(error.message).toBe(
      'personas/tutor.md:3: field "temprature": unknown field; did you mean "temperature"? (allowed: name, ' +
        "display_name, description, avatar, emoji, greeting, temperature, top_p, max_tokens, stop, examples, " +
        "post_history, tags, model, adapter, compiled, lore, knowledge, extensions, evals)",
    );
    expect(error).toMatchObject({ file: "personas/tutor.md", line: 3, field: "temprature" });
  });

  it("rejects a wrong type, saying what it got", () => {
    const error = rejection("---\nname: tutor\n\ntemperature: hot\n---\nBe kind.");
    expect(error.message).toBe(
      'personas/tutor.md:4: field "temperature": must be a number, got the text "hot"',
    );
  });

  it("explains a quoted number", () => {
    expect(rejection('---\ntemperature: "0.7"\n---\nBe kind.').message).toContain("remove the quotes");
  });

  it.each([
    ["temperature: 3", "temperature", "must be at most 2, got 3"],
    ["top_p: 0", "top_p", "must be greater than 0, got 0"],
    ["max_tokens: 0", "max_tokens", "must be greater than 0, got 0"],
    ["max_tokens: 1.5", "max_tokens", "must be a whole number, got 1.5"],
    [
      `description: ${"x".repeat(120)}`,
      "description",
      "must be at most 100 characters (Discord's limit) (it has 120)",
    ],
    ["display_name: ''", "display_name", "must not be empty"],
    ["name: Tutor Bot", "name", "must be 1-32 characters of a-z, 0-9 and '-'"],
    ["greeting:", "greeting", "has no value: give it one, or delete the line"],
    ["tags: fun", "tags", "must be a list"],
  ])("rejects an out-of-range or malformed value: %s", (line, field, reason) => {
    const error = rejection(`---\nemoji: 🎓\n${line}\n---\nBe kind.`);
    expect(error.message).toContain(`personas/tutor.md:3: field "${field}": ${reason}`);
    expect(error.field).toBe(field);
  });

  it("finds the line of a nested field", () => {
    const text = [
      "---",
      "examples:",
      "  - user: Hi",
      "    assistant: Hello!",
      "  - user: And you?",
      "    asistant: Fine.",
      "---",
      "Be kind.",
    ].join("\n");
    const error = rejection(text);
    expect(error.message).toBe(
      [
        'personas/tutor.md:5: field "examples[1].assistant": is required: each example needs both user: and assistant:',
        'personas/tutor.md:6: field "examples[1].asistant": unknown field; did you mean "assistant"? (allowed: user, assistant)',
      ].join("\n"),
    );
    expect(error.problems).toHaveLength(2);
  });

  it("points at an empty nested value", () => {
    const text = "---\nexamples:\n  - user: Hi\n    assistant: ''\n---\nBe kind.";
    expect(rejection(text).message).toBe(
      'personas/tutor.md:4: field "examples[0].assistant": must not be empty',
    );
  });

  it("lists every problem in a file, top to bottom", () => {
    const error = rejection("---\ntop_p: 5\ncolour: red\ntemperature: warm\n---\nBe kind.");
    expect(error.message.split("\n")).toEqual([
      'personas/tutor.md:2: field "top_p": must be at most 1, got 5',
      expect.stringMatching(/^personas\/tutor\.md:3: field "colour": unknown field \(allowed: /),
      'personas/tutor.md:4: field "temperature": must be a number, got the text "warm"',
    ]);
    expect(error.line).toBe(2);
  });

  it("reports bad YAML at its line, with the field and a hint", () => {
    const error = rejection("---\nname: tutor\ngreeting: Note: hi\n---\nBe kind.");
    expect(error.message).toMatch(
      /^personas\/tutor\.md:3: field "greeting": invalid YAML: .*a value that contains ": " must be quoted/,
    );
    expect(error.line).toBe(3);
  });

  it("reports a field given twice", () => {
    const error = rejection("---\ntemperature: 0.5\ntemperature: 0.7\n---\nBe kind.");
    expect(error.message).toContain(
      'personas/tutor.md:3: field "temperature": invalid YAML: Map keys must be unique',
    );
  });

  it("reports an unclosed bracket", () => {
    const error = rejection("---\ntags: [a, b\n---\nBe kind.");
    expect(error.message).toMatch(/^personas\/tutor\.md:2: field "tags": invalid YAML: /);
  });

  it.each([
    ["a list", "---\n- temperature: 0.5\n---\nBe kind."],
    ["plain text", "---\njust some words\n---\nBe kind."],
  ])("rejects front matter that is %s instead of field: value lines", (_kind, text) => {
    expect(rejection(text).message).toBe(
      'personas/tutor.md:2: the front matter must be "field: value" lines (a YAML mapping), e.g. "temperature: 0.7"',
    );
  });

  it("rejects an unterminated front matter block", () => {
    const error = rejection("---\nname: tutor\nYou are a tutor.\n");
    expect(error.message).toMatch(
      /^personas\/tutor\.md:1: the front matter opened with "---" on line 1 is never closed/,
    );
  });

  it("rejects blank lines before the front matter instead of treating the settings as the prompt", () => {
    const error = rejection("\n---\nname: tutor\n---\nBe kind.");
    expect(error.message).toMatch(/^personas\/tutor\.md:2: the front matter must start on line 1/);
  });

  it("rejects an empty body after front matter, at the line where the body should be", () => {
    const error = rejection("---\nname: tutor\n---\n\n   \n");
    expect(error.message).toBe(
      'personas/tutor.md:4: the system prompt is empty: write the persona\'s instructions as Markdown below the closing "---"',
    );
  });

  it("rejects an empty file", () => {
    expect(rejection("").message).toMatch(/^personas\/tutor\.md:1: the system prompt is empty/);
  });

  it("rejects a file name that is not a valid name when the front matter sets none, suggesting a fix", () => {
    const error = rejection("Be kind.", { path: "personas/My Tutor.md", fileName: "My Tutor.md" });
    expect(error.message).toBe(
      'personas/My Tutor.md: field "name": the file name "My Tutor.md" is not a valid persona name ' +
        '(1-32 characters of a-z, 0-9 and \'-\'): rename the file (e.g. "my-tutor.md") or set "name: my-tutor" ' +
        "in the front matter",
    );
    const fixed = parsePersona("---\nname: my-tutor\n---\nBe kind.", { path: "x", fileName: "My Tutor.md" });
    expect(fixed.name).toBe("my-tutor");
  });

  it("keeps stop sequences exactly as written (whitespace matters there)", () => {
    expect(parsePersona('---\nstop: ["\\n\\n", " END"]\n---\nBe kind.', source).stop).toEqual([
      "\n\n",
      " END",
    ]);
  });
});
