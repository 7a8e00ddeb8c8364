import { describe, expect, it } from "vitest";
import { describePersonaChange } from "../../src/personas/persona-change-text.js";

describe("persona change lines", () => {
  it("says what happened to which file, in words", () => {
    expect(describePersonaChange({ kind: "added", fileName: "pirate.md", name: "pirate" })).toBe(
      "Persona `pirate` added (pirate.md).",
    );
    expect(
      describePersonaChange({
        kind: "updated",
        fileName: "pirate.md",
        name: "quill",
        previousName: "pirate",
      }),
    ).toBe("Persona `pirate` is now `quill` (pirate.md).");
    expect(describePersonaChange({ kind: "removed", fileName: "pirate.md", name: "pirate" })).toBe(
      "Persona `pirate` removed (pirate.md is gone).",
    );
    expect(describePersonaChange({ kind: "rejected", fileName: "pirate.md", name: "pirate" })).toContain(
      "keeping the last good version of `pirate`",
    );
    expect(describePersonaChange({ kind: "rejected", fileName: "new.md" })).toContain("was not loaded");
  });

  it("shows a refused file's problem and fix below the line, never a pointer to the log", () => {
    const problem =
      'personas/pirate.md:3: field "temprature": unknown field; did you mean "temperature"?\n' +
      'personas/pirate.md:4: field "top_p": must be at most 1, got 7';
    expect(describePersonaChange({ kind: "rejected", fileName: "pirate.md", problem })).toBe(
      "⚠️ pirate.md has a problem and was not loaded:\n" +
        '   personas/pirate.md:3: field "temprature": unknown field; did you mean "temperature"?\n' +
        '   personas/pirate.md:4: field "top_p": must be at most 1, got 7',
    );
    const kept = describePersonaChange({
      kind: "rejected",
      fileName: "pirate.md",
      name: "pirate",
      problem: 'the persona name "pirate" is already used by personas/a.md: rename one of them',
    });
    expect(kept).toBe(
      "⚠️ pirate.md has a problem: keeping the last good version of `pirate`:\n" +
        '   the persona name "pirate" is already used by personas/a.md: rename one of them',
    );
    for (const change of [
      { kind: "rejected" as const, fileName: "a.md" },
      { kind: "rejected" as const, fileName: "a.md", name: "a", problem: "it is a FIFO" },
    ]) {
      expect(describePersonaChange(change)).not.toMatch(/\blog\b/);
    }
  });
});
