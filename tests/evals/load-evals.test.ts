/**
 * Eval cases come from the persona's front matter and from NAME.evals.yaml beside it, merged; a
 * problem in either names the file, the line and the field; the sibling is never a persona.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadPersonaEvals, siblingEvalsPath } from "../../src/evals/load-evals.js";
import { silentLogger } from "../../src/lib/logger.js";
import { PersonaFileError, parsePersona } from "../../src/personas/parser/persona-parser.js";
import { loadPersonaDirectory } from "../../src/personas/persona-directory.js";
import { isPersonaFileName } from "../../src/personas/persona-files.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "troupe-evals-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const personaWithEvals = `---
description: A test tutor.
evals:
  - name: from the front matter
    prompt: "Solve 2x = 4"
    not_contains: "x = 2"
---
You are a tutor.
`;

const sibling = `# a comment line
- prompt: "What is a prime?"
  max_questions: 1
  language: persona

- name: with history
  history:
    - user: "hi"
      assistant: "hello"
  prompt: "and now?"
  regex: { pattern: "^1\\\\.", flags: "m" }
  contains: [one, two]
`;

async function caught(promise: Promise<unknown>): Promise<PersonaFileError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof PersonaFileError))
    throw new Error(`expected a PersonaFileError, got ${String(error)}`);
  return error;
}

describe("loadPersonaEvals", () => {
  it("merges the front matter's cases and the sibling file's, each with its place", async () => {
    const source = join(dir, "tutor.md");
    await writeFile(source, personaWithEvals);
    await writeFile(join(dir, "tutor.evals.yaml"), sibling);
    const cases = await loadPersonaEvals({ source });
    expect(cases.map((evalCase) => [evalCase.name, evalCase.where])).toEqual([
      ["from the front matter", `${source}:4`],
      ["case 1", `${join(dir, "tutor.evals.yaml")}:2`],
      ["with history", `${join(dir, "tutor.evals.yaml")}:6`],
    ]);
    expect(cases[0]?.checks).toEqual([{ kind: "not_contains", texts: ["x = 2"], caseSensitive: false }]);
    expect(cases[1]?.checks).toEqual([
      { kind: "max_questions", limit: 1 },
      { kind: "language", language: "persona" },
    ]);
    expect(cases[2]).toMatchObject({
      history: [{ user: "hi", assistant: "hello" }],
      checks: [
        { kind: "contains", texts: ["one", "two"], caseSensitive: false },
        { kind: "regex", patterns: [{ pattern: "^1\\.", flags: "m" }] },
      ],
    });
  });

  it("no cases anywhere is an empty list", async () => {
    const source = join(dir, "plain.md");
    await writeFile(source, "You are plain.\n");
    expect(await loadPersonaEvals({ source })).toEqual([]);
  });

  it("a bad regex in the sibling is an error naming the file, the line and the field", async () => {
    const source = join(dir, "coder.md");
    await writeFile(source, "You are a coder.\n");
    await writeFile(
      join(dir, "coder.evals.yaml"),
      '- prompt: "hi"\n  max_words: 10\n- prompt: "code"\n  regex: "```(python"\n',
    );
    const error = await caught(loadPersonaEvals({ source }));
    expect(error.message).toMatch(
      /coder\.evals\.yaml:4: field "\[1\]\.regex": is not a valid regular expression/,
    );
  });

  it("bad flags, an unknown field and a case without checks are each named", async () => {
    const source = join(dir, "coder.md");
    await writeFile(source, "You are a coder.\n");
    await writeFile(
      join(dir, "coder.evals.yaml"),
      [
        '- prompt: "a"',
        '  regex: { pattern: "x", flags: "g" }',
        '- prompt: "b"',
        '  contain: "y"',
        "  max_words: 3",
        '- prompt: "c"',
      ].join("\n"),
    );
    const error = await caught(loadPersonaEvals({ source }));
    expect(error.problems.map((problem) => [problem.line, problem.field])).toEqual([
      [2, "[0].regex"],
      [4, "[1].contain"],
      [6, "[2].prompt"],
    ]);
    expect(error.message).toMatch(/flags "g": only i, m, s, u and v are allowed/);
    expect(error.message).toMatch(/unknown eval field; did you mean "contains"\?/);
    expect(error.message).toMatch(/the case checks nothing/);
  });

  it("a sibling that is not a list, or not YAML, says so with its line", async () => {
    const source = join(dir, "x.md");
    await writeFile(source, "You are x.\n");
    await writeFile(join(dir, "x.evals.yaml"), "prompt: hi\nmax_words: 3\n");
    expect((await caught(loadPersonaEvals({ source }))).message).toMatch(
      /x\.evals\.yaml:1: an evals file is a YAML list/,
    );
    await writeFile(join(dir, "x.evals.yaml"), '- prompt: "hi\n  max_words: 3\n');
    expect((await caught(loadPersonaEvals({ source }))).message).toMatch(/x\.evals\.yaml:\d+: invalid YAML/);
  });

  it("the sibling's path sits beside the persona file", () => {
    expect(siblingEvalsPath("personas/tutor.md")).toBe("personas/tutor.evals.yaml");
  });
});

describe("evals in a persona file", () => {
  it("a bad regex in the front matter is a problem in the persona file, with its line", () => {
    const text = '---\nevals:\n  - prompt: "hi"\n    not_regex: "(["\n---\nYou are a tutor.\n';
    expect(() => parsePersona(text, { path: "personas/tutor.md", fileName: "tutor.md" })).toThrow(
      /personas\/tutor\.md:4: field "evals\[0\]\.not_regex": is not a valid regular expression/,
    );
  });

  it("a sibling evals file is never read as a persona, nor watched as one", async () => {
    await writeFile(join(dir, "tutor.md"), personaWithEvals);
    await writeFile(join(dir, "tutor.evals.yaml"), sibling);
    const personas = await loadPersonaDirectory(dir, { logger: silentLogger, watch: false });
    expect(personas.list().map((persona) => persona.name)).toEqual(["tutor"]);
    expect(personas.startup.skipped).toEqual([]);
    personas.close();
    expect(isPersonaFileName("tutor.evals.yaml")).toBe(false);
  });
});
