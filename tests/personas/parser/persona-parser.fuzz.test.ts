/**
 * Fuzz test of the persona parser: whatever text a persona file holds, parsing returns a valid
 * persona or throws a PersonaFileError with a bounded list of placed problems; never another error,
 * never a crash of the process, never a hang (the test's timeout is the bound; no timing is asserted).
 * Inputs come from a seeded PRNG, one stream per case, so a failure names its case and reproduces:
 * mutations of the shipped personas, random bytes, random front matter, deep YAML, huge lines and
 * odd Unicode. What it found is fixed in src/personas/parser/ (see persona-yaml-guards.ts).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  MAX_PROBLEMS,
  PersonaFileError,
  parsePersonaFile,
} from "../../../src/personas/parser/persona-parser.js";
import { PERSONA_NAME_PATTERN } from "../../../src/personas/parser/persona-schema.js";
import { runCommand } from "../../helpers/run-troupe.js";

const SEED = 0x7e0b5;
const source = { path: "personas/fuzz.md", fileName: "fuzz.md" };
const shippedDir = join(import.meta.dirname, "..", "..", "..", "personas");
const shipped = readdirSync(shippedDir)
  .filter((name) => name.endsWith(".md") && name !== "README.md")
  .map((name) => readFileSync(join(shippedDir, name), "utf8"));

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  constructor(readonly random: () => number) {}
  int(below: number): number {
    return Math.floor(this.random() * below);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }
}

/** Pieces that mean something to YAML, to Markdown or to the parser's own splitting. */
const TOKENS = [
  "---",
  "---\n",
  "\n---\n",
  "...",
  ": ",
  ":",
  "- ",
  "? ",
  "[",
  "]",
  "{",
  "}",
  ",",
  "&a ",
  "*a",
  "<<: *a",
  "!!str ",
  "!!binary ",
  "!!set ",
  "!local ",
  "|",
  "|-",
  ">+",
  "#",
  "'",
  '"',
  "\\",
  "\t",
  "\n",
  "\r\n",
  "\r",
  "\uFEFF",
  "%YAML 1.1\n",
  "%TAG ! tag:x,2000:\n",
  "\u0000",
  "name: ",
  "name: Tutor Bot",
  "temperature: ",
  "temperature: .nan",
  "max_tokens: 1e999",
  "top_p: -0",
  "stop: []",
  "examples:\n  - user: a\n    assistant: b\n",
  "examples: [{user: a}]",
  "tags: [a, [b, {c: d}]]",
  "__proto__: {temperature: 9}",
  "constructor: x",
  "model: a\nadapter: b\n",
  "[link](url",
  "**",
  "```",
  "\u2028",
  "\u0085",
];

/** Code points that trip text handling: surrogates alone, direction marks, joiners, combiners… */
const ODD = [
  "\uD800",
  "\uDFFF",
  "\uDBFF\uDFFF",
  "\u202E",
  "\u200F",
  "\u200D",
  "\u200B",
  "\u0301",
  "\u0301".repeat(50),
  "\u2028",
  "\u2029",
  "\u0085",
  "\uFFFE",
  "\uFFFF",
  "\uFEFF",
  "\uFF1A",
  "\u00A0",
  "\u3000",
  "👩‍👩‍👧‍👦",
  "🏴‍☠️",
  "\u{1F600}",
  "\u{10FFFF}",
  "Ⅻ",
  "ǅ",
  "ﬀ",
  "İ",
  "ß",
  "\u0000",
  "\u001B[31m",
  "\u007F",
];

function mutate(dice: Dice, text: string): string {
  let result = text;
  const rounds = 1 + dice.int(8);
  for (let round = 0; round < rounds; round++) {
    const at = dice.int(result.length + 1);
    const span = 1 + dice.int(40);
    switch (dice.int(7)) {
      case 0:
        result = result.slice(0, at) + dice.pick(TOKENS) + result.slice(at);
        break;
      case 1:
        result = result.slice(0, at) + result.slice(at + span);
        break;
      case 2:
        result =
          result.slice(0, at) + result.slice(at, at + span).repeat(1 + dice.int(30)) + result.slice(at);
        break;
      case 3:
        result = result.slice(0, at) + String.fromCharCode(dice.int(0x10000)) + result.slice(at + 1);
        break;
      case 4: {
        const lines = result.split("\n");
        const from = dice.int(lines.length);
        const to = dice.int(lines.length);
        [lines[from], lines[to]] = [lines[to] ?? "", lines[from] ?? ""];
        result = lines.join("\n");
        break;
      }
      case 5:
        result = result.slice(0, at) + dice.pick(ODD) + result.slice(at);
        break;
      default: {
        const lines = result.split("\n");
        const line = dice.int(lines.length);
        lines.splice(line, 0, ...Array.from({ length: 1 + dice.int(200) }, () => lines[line] ?? ""));
        result = lines.join("\n");
      }
    }
  }
  return result;
}

function randomBytes(dice: Dice): string {
  const bytes = Buffer.alloc(dice.int(4096));
  for (let index = 0; index < bytes.length; index++) bytes[index] = dice.int(256);
  // Half start like a persona file, so the bytes reach the YAML parser and not only the body.
  const prefix = dice.int(2) === 0 ? "---\n" : "";
  return prefix + bytes.toString(dice.int(2) === 0 ? "utf8" : "latin1");
}

const FIELDS = [
  "name",
  "display_name",
  "description",
  "avatar",
  "emoji",
  "greeting",
  "temperature",
  "top_p",
  "max_tokens",
  "stop",
  "examples",
  "post_history",
  "tags",
  "model",
  "adapter",
  "temprature",
  "Name",
  "",
];

function randomValue(dice: Dice, depth = 0): string {
  const scalars = [
    "0.7",
    "-1",
    "3",
    "1e3",
    "0x1F",
    ".inf",
    "~",
    "null",
    "true",
    "yes",
    "''",
    '""',
    "tutor",
    "Tutor Bot",
    "'it''s'",
    '"\\u0000\\n"',
    "a: b",
    dice.pick(ODD),
    "x".repeat(dice.int(300)),
  ];
  if (depth > 3 || dice.int(3) > 0) return dice.pick(scalars);
  const items = Array.from({ length: dice.int(4) }, () => randomValue(dice, depth + 1));
  if (dice.int(2) === 0) return `[${items.join(", ")}]`;
  return `{${items.map((item, index) => `${dice.pick(["user", "assistant", `k${index}`])}: ${item}`).join(", ")}}`;
}

function randomFrontMatter(dice: Dice): string {
  const lines = Array.from(
    { length: dice.int(12) },
    () => `${dice.pick(FIELDS)}:${dice.int(5) === 0 ? "" : " "}${randomValue(dice)}`,
  );
  const body = dice.pick(["", "  \n", "Be kind.", "# Heading only", "[[[[", dice.pick(ODD).repeat(3)]);
  return `---\n${lines.join("\n")}\n---\n${body}`;
}

function oddUnicode(dice: Dice): string {
  const run = (count: number) => Array.from({ length: count }, () => dice.pick(ODD)).join("");
  return dice.pick([
    `---\nname: ${run(3)}\ndisplay_name: ${run(5)}\ndescription: ${run(20)}\n---\n${run(50)}`,
    `---\n${run(4)}: 1\n---\nHi.`,
    `${run(2)}---\nname: x\n---\n${run(10)}`,
    `---${run(1)}\ntemperature: 1\n---\n${run(10)}`,
    `---\nstop: ["${run(3)}"]\nexamples:\n  - user: ${run(8)}\n    assistant: ${run(8)}\n---\n${run(10)}`,
    run(200),
  ]);
}

/** Nesting past what yaml's recursive composer survives; built to be deep, not large. */
function deepYaml(kind: number, depth: number): string {
  switch (kind) {
    case 0:
      return `---\ntags: ${"[".repeat(depth)}${"]".repeat(depth)}\n---\nHi.`;
    case 1:
      return `---\ntags: ${"[".repeat(depth)}\n---\nHi.`;
    case 2:
      return `---\nexamples: ${"{a: ".repeat(depth)}1${"}".repeat(depth)}\n---\nHi.`;
    case 3:
      return `---\ntags:\n${"- ".repeat(depth)}x\n---\nHi.`;
    case 4:
      return `---\n${"? ".repeat(depth)}x\n---\nHi.`;
    case 5:
      return `---\n${Array.from({ length: depth }, () => "a: b: c").join("\n")}\n---\nHi.`;
    default:
      return `---\n${Array.from({ length: Math.min(depth, 700) }, (_, index) => `${" ".repeat(index)}a:`).join("\n")}\n---\nHi.`;
  }
}
const DEEP_KINDS = 7;

/** Every long-line shape in every place: each pattern a linear-time parser must not stumble on. */
function hugeLines(): string[] {
  const units = ["x", "[", "[a](", "# ", " ", ":", "é", "🙂", "\t", "-", "a: ", "*_`>"];
  return units.flatMap((unit) => {
    const line = unit.repeat(Math.ceil(250_000 / unit.length));
    return [
      line,
      `---\ngreeting: ${line}\n---\nHi.`,
      `---\n${line}: 1\n---\nHi.`,
      `---\nname: tutor\n---\n${line}`,
      `# ${line}\n\nBe kind.`,
    ];
  });
}

interface Tally {
  parsed: number;
  refused: number;
}

/** Parses one input and checks what came back; anything else thrown fails with the case's name. */
function check(caseName: string, text: string, tally: Tally): void {
  const lineCount = text.replace(/^\uFEFF/, "").split(/\r\n?|\n/).length;
  let outcome: unknown;
  try {
    const { persona } = parsePersonaFile(text, source);
    tally.parsed++;
    expect(persona.name, caseName).toMatch(PERSONA_NAME_PATTERN);
    expect(persona.systemPrompt, caseName).not.toBe("");
    expect(persona.systemPrompt, caseName).toBe(persona.systemPrompt.trim());
    // Counted in code points, as the schema counts (an emoji is one character, two UTF-16 units).
    expect([...persona.description].length, caseName).toBeLessThanOrEqual(100);
    return;
  } catch (error) {
    outcome = error;
  }
  if (!(outcome instanceof PersonaFileError)) {
    throw new Error(`${caseName}: threw ${String(outcome)} for ${JSON.stringify(text.slice(0, 300))}`, {
      cause: outcome,
    });
  }
  tally.refused++;
  const { problems } = outcome;
  expect(problems.length, caseName).toBeGreaterThan(0);
  expect(problems.length, caseName).toBeLessThanOrEqual(MAX_PROBLEMS + 1);
  for (const problem of problems) {
    expect(problem.file, caseName).toBe(source.path);
    expect(problem.reason, caseName).not.toBe("");
    if (problem.line !== undefined) {
      expect(problem.line, caseName).toBeGreaterThanOrEqual(1);
      // +1: an empty body is reported on the line after the closing "---", which may be the last.
      expect(problem.line, caseName).toBeLessThanOrEqual(lineCount + 1);
    }
  }
  // One line per problem, each of a readable length, whatever the file held.
  expect(outcome.message.length, caseName).toBeLessThan((MAX_PROBLEMS + 1) * 1_000);
}

function run(kind: string, count: number, make: (dice: Dice) => string): Tally {
  const tally: Tally = { parsed: 0, refused: 0 };
  for (let index = 0; index < count; index++) {
    // One stream per case: case N reproduces alone, whatever the cases before it drew.
    const dice = new Dice(prng(SEED ^ (index * 0x9e3779b1) ^ kind.length));
    check(`${kind} #${index} (seed ${SEED})`, make(dice), tally);
  }
  return tally;
}

describe("parsePersonaFile under fuzzing: a persona or a PersonaFileError, nothing else", () => {
  it("takes mutations of the shipped personas", () => {
    const tally = run("mutation", 600, (dice) => mutate(dice, dice.pick(shipped)));
    // The mutations must exercise both ways out, or the generator has gone blind.
    expect(tally.parsed).toBeGreaterThan(50);
    expect(tally.refused).toBeGreaterThan(50);
  });

  it("takes random bytes, random front matter and odd Unicode", () => {
    run("bytes", 150, randomBytes);
    const fields = run("front matter", 300, randomFrontMatter);
    expect(fields.refused).toBeGreaterThan(0);
    run("unicode", 200, oddUnicode);
  });

  it("refuses YAML nested deeper than yaml's recursion survives, before yaml sees it", () => {
    for (const depth of [100, 5_000, 20_000, 100_000]) {
      for (let kind = 0; kind < DEEP_KINDS; kind++) {
        const caseName = `deep kind ${kind} × ${depth}`;
        const tally: Tally = { parsed: 0, refused: 0 };
        check(caseName, deepYaml(kind, depth), tally);
        expect(tally.refused, caseName).toBe(1);
      }
    }
    expect(() => parsePersonaFile(deepYaml(0, 100_000), source)).toThrow(
      /^personas\/fuzz\.md:2: the front matter nests more than 64 levels deep here/,
    );
  }, 120_000);

  it("never ends the process on deep YAML, even once V8 has optimised the parser (child process)", async () => {
    const run = await runCommand(process.execPath, [
      "--import",
      "tsx",
      "tests/personas/fixtures/deep-yaml-child.ts",
    ]);
    // Before the depth guard this process aborted (exit 134: a fatal out-of-memory in V8's regexp compiler).
    expect(run.code, run.stderr.slice(0, 500)).toBe(0);
    const outcomes = run.stdout
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { outcome: string }).outcome);
    expect(outcomes).toEqual(Array.from({ length: 6 }, () => "refused"));
  }, 120_000);

  // No timing is asserted: the test's timeout is the bound. The link pattern in the description's
  // defaults once took 38 s on a body of `[`, past it.
  it("takes lines of 250 KB of each awkward pattern in the body, a value and a key", () => {
    const tally: Tally = { parsed: 0, refused: 0 };
    hugeLines().forEach((text, index) => {
      check(`huge line #${index}`, text, tally);
    });
    expect(tally.parsed).toBeGreaterThan(0);
  });

  it("reports a huge number of problems as the first ones and a count", () => {
    const keys = Array.from({ length: 20_000 }, (_, index) => `unknown${index}: 1`).join("\n");
    const duplicates = Array.from({ length: 20_000 }, () => "temperature: 1").join("\n");
    for (const text of [`---\n${keys}\n---\nHi.`, `---\n${duplicates}\n---\nHi.`]) {
      const error = (() => {
        try {
          parsePersonaFile(text, source);
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(PersonaFileError);
      const problems = (error as PersonaFileError).problems;
      expect(problems).toHaveLength(MAX_PROBLEMS + 1);
      expect(problems.at(-1)?.reason).toMatch(/^and 19,9\d\d more problems: fix these first/);
      expect(problems[0]?.line).toBeLessThanOrEqual(3);
    }
  }, 60_000);
});
