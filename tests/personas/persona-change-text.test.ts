/**
 * The lines the terminal chat shows for persona files: what changed while running, and what
 * start-up skipped or warned about. A problem line carries the reason itself (file, line, field),
 * never "the log says where": the log may be silenced.
 */
import { describe, expect, it } from "vitest";
import { describePersonaChange, describePersonaStartup } from "../../src/personas/persona-change-text.js";
import type { PersonaRefusal } from "../../src/personas/persona-directory.js";
import { promptRoomWarning } from "../../src/personas/persona-prompt-fit.js";
import { testPersona } from "../helpers/personas.js";

const typo = 'personas/pirate.md:6: field "temprature": unknown field; did you mean "temperature"?';

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
  });

  it("gives a rejected file's reason itself, and whether a last good version is kept", () => {
    expect(describePersonaChange({ kind: "rejected", fileName: "pirate.md", problem: typo })).toBe(
      `⚠️ ${typo} (skipped; fix the file and it loads without a restart)`,
    );
    expect(
      describePersonaChange({ kind: "rejected", fileName: "pirate.md", name: "pirate", problem: typo }),
    ).toBe(
      `⚠️ ${typo} (keeping the last good version of \`pirate\`; fix the file and it reloads without a restart)`,
    );
  });

  it("adds the warning of a persona loaded with little room to converse", () => {
    expect(
      describePersonaChange({
        kind: "updated",
        fileName: "pirate.md",
        name: "pirate",
        warning: 'persona "pirate" (personas/pirate.md): the prompt is about 7,000 tokens …',
      }),
    ).toBe(
      'Persona `pirate` updated (pirate.md). ⚠️ persona "pirate" (personas/pirate.md): the prompt is about 7,000 tokens …',
    );
  });
});

describe("persona start-up lines", () => {
  it("gives each skipped file's first problem, with a count of the others, then each tight prompt", () => {
    const file = "personas/pirate.md";
    const skipped: PersonaRefusal[] = [
      {
        kind: "invalid",
        fileName: "pirate.md",
        file,
        problems: [
          { file, line: 6, field: "temprature", reason: 'unknown field; did you mean "temperature"?' },
          { file, line: 7, field: "top_p", reason: "must be at most 1, got 7" },
        ],
      },
      {
        kind: "not-a-file",
        fileName: "pipe.md",
        file: "personas/pipe.md",
        problems: [{ file: "personas/pipe.md", reason: "is a named pipe (FIFO), not a regular file" }],
      },
    ];
    const epic = testPersona("epic", { systemPrompt: "x".repeat(19_200), source: "personas/epic.md" });
    const warning = promptRoomWarning(epic, { contextTokens: 8192, replyTokens: 1024 });
    if (!warning) throw new Error("expected a 6,004-token prompt to warn in 8,192 tokens");

    expect(
      describePersonaStartup({ skipped, warnings: [{ fileName: "epic.md", name: "epic", warning }] }),
    ).toEqual([
      `⚠️ ${typo} (and 1 more problem) (skipped; fix the file and it loads without a restart)`,
      "⚠️ personas/pipe.md: is a named pipe (FIFO), not a regular file (skipped; fix the file and it loads without a restart)",
      `⚠️ ${warning.message}`,
    ]);
  });

  it("says nothing when start-up found nothing to tell", () => {
    expect(describePersonaStartup({ skipped: [], warnings: [] })).toEqual([]);
  });

  it("a refused file's line carries the problem itself, never a pointer to the log", () => {
    const problem = 'personas/pirate.md:3: field "temprature": unknown field; did you mean "temperature"?';
    for (const change of [
      { kind: "rejected" as const, fileName: "pirate.md", problem },
      { kind: "rejected" as const, fileName: "pirate.md", name: "pirate", problem },
    ]) {
      const line = describePersonaChange(change);
      expect(line).toContain(problem);
      expect(line).not.toMatch(/\blog\b/);
    }
  });
});
