/** Each check kind passes and fails as designed, with a reason that says what was found. */
import { describe, expect, it } from "vitest";
import { type CheckContext, runCheck } from "../../src/evals/checks.js";
import type { EvalCheck } from "../../src/evals/eval-case.js";
import type { Judge, JudgeRequest } from "../../src/evals/judge.js";
import { createBuiltInDetector } from "../../src/evals/language-detector.js";
import { testPersona } from "../helpers/personas.js";

const englishPersona = testPersona("tutor", {
  systemPrompt:
    "You are a patient tutor. Help the learner understand what they are doing, and ask them what they tried.",
});

function context(answer: string, judge?: Judge): CheckContext {
  return {
    persona: englishPersona,
    prompt: "the prompt",
    history: [],
    answer,
    judge: judge ?? { judge: async () => ({ pass: false, reason: "no judge in this test" }) },
    detector: createBuiltInDetector(),
  };
}

const check = (spec: EvalCheck, answer: string, judge?: Judge) => runCheck(spec, context(answer, judge));

describe("contains / not_contains", () => {
  it("is case-insensitive by default and needs every text", async () => {
    const spec: EvalCheck = { kind: "contains", texts: ["Five", "six"], caseSensitive: false };
    expect(await check(spec, "five and SIX")).toMatchObject({ pass: true });
    expect(await check(spec, "five only")).toEqual({ kind: "contains", pass: false, reason: 'lacks "six"' });
  });

  it("respects case_sensitive", async () => {
    const spec: EvalCheck = { kind: "contains", texts: ["Paris"], caseSensitive: true };
    expect(await check(spec, "Paris")).toMatchObject({ pass: true });
    expect(await check(spec, "paris")).toMatchObject({ pass: false });
  });

  it("not_contains fails on any text present, naming it", async () => {
    const spec: EvalCheck = { kind: "not_contains", texts: ["x = 4", "refund"], caseSensitive: false };
    expect(await check(spec, "Try subtracting 6.")).toMatchObject({ pass: true });
    expect(await check(spec, "So X = 4.")).toEqual({
      kind: "not_contains",
      pass: false,
      reason: 'has "x = 4"',
    });
  });
});

describe("regex / not_regex", () => {
  it("applies the flags: none is case-sensitive, i ignores case", async () => {
    expect(
      await check({ kind: "regex", patterns: [{ pattern: "hello", flags: "" }] }, "Hello"),
    ).toMatchObject({
      pass: false,
      reason: "does not match /hello/",
    });
    expect(
      await check({ kind: "regex", patterns: [{ pattern: "hello", flags: "i" }] }, "Hello"),
    ).toMatchObject({
      pass: true,
    });
  });

  it("m makes ^ and $ match at each line, s lets . cross lines", async () => {
    const choices = "Scene.\n1. Run\n2. Hide";
    expect(
      await check({ kind: "regex", patterns: [{ pattern: "^2\\. Hide$", flags: "" }] }, choices),
    ).toMatchObject({
      pass: false,
    });
    expect(
      await check({ kind: "regex", patterns: [{ pattern: "^2\\. Hide$", flags: "m" }] }, choices),
    ).toMatchObject({
      pass: true,
    });
    expect(
      await check({ kind: "regex", patterns: [{ pattern: "Scene.+Hide", flags: "s" }] }, choices),
    ).toMatchObject({
      pass: true,
    });
  });

  it("needs every pattern; not_regex fails on any match", async () => {
    const patterns = [
      { pattern: "a", flags: "" },
      { pattern: "b", flags: "" },
    ];
    expect(await check({ kind: "regex", patterns }, "a")).toMatchObject({
      pass: false,
      reason: "does not match /b/",
    });
    expect(await check({ kind: "not_regex", patterns }, "c")).toMatchObject({ pass: true });
    expect(await check({ kind: "not_regex", patterns }, "b")).toMatchObject({
      pass: false,
      reason: "matches /b/",
    });
  });
});

describe("length limits", () => {
  it("max_chars counts the trimmed answer", async () => {
    expect(await check({ kind: "max_chars", limit: 5 }, "  hello \n")).toMatchObject({ pass: true });
    expect(await check({ kind: "max_chars", limit: 5 }, "hello!")).toEqual({
      kind: "max_chars",
      pass: false,
      reason: "6 characters, at most 5 allowed",
    });
  });

  it("max_words counts words, not Markdown marks", async () => {
    expect(await check({ kind: "max_words", limit: 3 }, "one two - three")).toMatchObject({ pass: true });
    expect(await check({ kind: "max_words", limit: 3 }, "one two three four")).toMatchObject({ pass: false });
  });
});

describe("max_questions", () => {
  it("allows one question, not two; code and URLs do not count", async () => {
    const one = "Look at `a ? b : c` and https://x.example/?q=1.\n```js\nx ? y : z\n```\nWhat do you see?";
    expect(await check({ kind: "max_questions", limit: 1 }, one)).toMatchObject({ pass: true });
    expect(await check({ kind: "max_questions", limit: 1 }, "Why? And how?")).toEqual({
      kind: "max_questions",
      pass: false,
      reason: "2 questions, at most 1 allowed",
    });
  });
});

describe("language", () => {
  const english = "The first step is to take five away from both sides, and then you can see what is left.";
  const german =
    "Der erste Schritt ist, auf beiden Seiten fünf abzuziehen, und dann siehst du, was noch übrig ist.";

  it("persona: the language of the persona's own prompt", async () => {
    expect(await check({ kind: "language", language: "persona" }, english)).toMatchObject({
      pass: true,
      reason: "in en",
    });
    expect(await check({ kind: "language", language: "persona" }, german)).toEqual({
      kind: "language",
      pass: false,
      reason: "in de, en expected",
    });
  });

  it("an ISO code, two or three letters", async () => {
    expect(await check({ kind: "language", language: "de" }, german)).toMatchObject({ pass: true });
    expect(await check({ kind: "language", language: "deu" }, german)).toMatchObject({ pass: true });
    expect(await check({ kind: "language", language: "fr" }, german)).toMatchObject({ pass: false });
  });

  it("passes an answer too short to tell, and fails a code the detector does not know", async () => {
    expect(await check({ kind: "language", language: "de" }, "x = 5")).toMatchObject({ pass: true });
    const unknown = await check({ kind: "language", language: "sw" }, english);
    expect(unknown.pass).toBe(false);
    expect(unknown.reason).toMatch(/does not know "sw"/);
  });

  it("fails with a fix when the persona's own language cannot be told", async () => {
    const result = await runCheck(
      { kind: "language", language: "persona" },
      { ...context(english), persona: testPersona("terse", { systemPrompt: "Be terse." }) },
    );
    expect(result).toMatchObject({ pass: false });
    expect(result.reason).toMatch(/language: en/);
  });
});

describe("rubric", () => {
  it("hands the exchange and the rubric to the judge and reports its verdict", async () => {
    const requests: JudgeRequest[] = [];
    const judge: Judge = {
      judge: async (request) => {
        requests.push(request);
        return { pass: true, reason: "guides without the answer" };
      },
    };
    const result = await check(
      { kind: "rubric", rubric: "does not give the answer" },
      "What is 14 - 6?",
      judge,
    );
    expect(result).toEqual({ kind: "rubric", pass: true, reason: "guides without the answer" });
    expect(requests).toEqual([
      expect.objectContaining({
        rubric: "does not give the answer",
        answer: "What is 14 - 6?",
        prompt: "the prompt",
      }),
    ]);
  });
});
