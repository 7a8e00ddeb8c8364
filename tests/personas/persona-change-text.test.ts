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
});
