/**
 * The checks an answer is held to, one function per kind, each giving a pass and a reason that
 * says what was found (`asks 3 questions, at most 1 allowed`), so a failed check in the report
 * needs no rerun to understand. Only the rubric asks the model (judge.ts); the rest are plain text
 * work and never fail for any other reason than the answer.
 */
import type { Persona } from "../core/persona.js";
import { countQuestions, proseOf } from "./answer-prose.js";
import type { CheckKind, EvalCheck } from "./eval-case.js";
import type { Judge } from "./judge.js";
import { type LanguageDetector, normalizeLanguageCode } from "./language-detector.js";

export interface CheckResult {
  kind: CheckKind;
  pass: boolean;
  reason: string;
}

export interface CheckContext {
  persona: Persona;
  prompt: string;
  history: readonly { user: string; assistant: string }[];
  answer: string;
  judge: Judge;
  detector: LanguageDetector;
}

export async function runCheck(check: EvalCheck, context: CheckContext): Promise<CheckResult> {
  const { answer } = context;
  switch (check.kind) {
    case "contains":
    case "not_contains":
      return containsCheck(check.kind, check.texts, check.caseSensitive, answer);
    case "regex":
    case "not_regex":
      return regexCheck(check.kind, check.patterns, answer);
    case "max_chars":
      return limitCheck(check.kind, answer.trim().length, check.limit, "characters");
    case "max_words":
      return limitCheck(check.kind, wordCount(answer), check.limit, "words");
    case "max_questions":
      return limitCheck(check.kind, countQuestions(answer), check.limit, "questions");
    case "language":
      return languageCheck(check.language, context);
    case "rubric": {
      const verdict = await context.judge.judge({
        persona: context.persona,
        prompt: context.prompt,
        history: context.history,
        answer,
        rubric: check.rubric,
      });
      return { kind: "rubric", ...verdict };
    }
  }
}

function containsCheck(
  kind: "contains" | "not_contains",
  texts: readonly string[],
  caseSensitive: boolean,
  answer: string,
): CheckResult {
  const fold = (text: string) => (caseSensitive ? text : text.toLocaleLowerCase());
  const haystack = fold(answer);
  const present = texts.filter((text) => haystack.includes(fold(text)));
  if (kind === "contains") {
    const missing = texts.filter((text) => !present.includes(text));
    return missing.length === 0
      ? { kind, pass: true, reason: `has ${quoteAll(texts)}` }
      : { kind, pass: false, reason: `lacks ${quoteAll(missing)}` };
  }
  return present.length === 0
    ? { kind, pass: true, reason: `has none of ${quoteAll(texts)}` }
    : { kind, pass: false, reason: `has ${quoteAll(present)}` };
}

function regexCheck(
  kind: "regex" | "not_regex",
  patterns: readonly { pattern: string; flags: string }[],
  answer: string,
): CheckResult {
  const matching = patterns.filter(({ pattern, flags }) => new RegExp(pattern, flags).test(answer));
  const shown = (list: readonly { pattern: string; flags: string }[]) =>
    list.map(({ pattern, flags }) => `/${pattern}/${flags}`).join(", ");
  if (kind === "regex") {
    const missing = patterns.filter((spec) => !matching.includes(spec));
    return missing.length === 0
      ? { kind, pass: true, reason: `matches ${shown(patterns)}` }
      : { kind, pass: false, reason: `does not match ${shown(missing)}` };
  }
  return matching.length === 0
    ? { kind, pass: true, reason: `matches none of ${shown(patterns)}` }
    : { kind, pass: false, reason: `matches ${shown(matching)}` };
}

function limitCheck(kind: CheckKind, count: number, limit: number, unit: string): CheckResult {
  return {
    kind,
    pass: count <= limit,
    reason: `${count.toLocaleString("en-US")} ${unit}, at most ${limit.toLocaleString("en-US")} allowed`,
  };
}

export function wordCount(text: string): number {
  return text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

function languageCheck(wanted: string, context: CheckContext): CheckResult {
  const { detector } = context;
  let expected: string;
  if (wanted === "persona") {
    const own = detector.detect(proseOf(personaText(context.persona)));
    if (own === undefined) {
      return {
        kind: "language",
        pass: false,
        reason: "cannot tell the persona's language from its prompt: write the code instead (language: en)",
      };
    }
    expected = own.language;
  } else {
    expected = normalizeLanguageCode(wanted);
    if (!detector.known.has(expected)) {
      return {
        kind: "language",
        pass: false,
        reason: `the language detector does not know "${wanted}" (it knows ${[...detector.known].join(", ")})`,
      };
    }
  }
  const found = detector.detect(proseOf(context.answer));
  // A few words or a bare number are in no language in particular: not a switch of language.
  if (found === undefined)
    return { kind: "language", pass: true, reason: `too little prose to tell (${expected} expected)` };
  return found.language === expected
    ? { kind: "language", pass: true, reason: `in ${expected}` }
    : { kind: "language", pass: false, reason: `in ${found.language}, ${expected} expected` };
}

function personaText(persona: Persona): string {
  return [persona.systemPrompt, ...persona.examples.map((example) => example.assistant)].join("\n\n");
}

function quoteAll(texts: readonly string[]): string {
  return texts.map((text) => JSON.stringify(text)).join(", ");
}
