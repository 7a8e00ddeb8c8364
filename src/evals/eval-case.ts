/**
 * An eval case as the runner uses it: the file's spelling (`not_contains`, a string or a list)
 * turned into one list of checks, each of one kind, in the order the report shows them.
 */
import type { EVAL_CHECK_FIELDS, EvalCaseInput, RegexSpecInput } from "../personas/parser/evals-schema.js";

/** One per check field of an eval case, in the order the schema lists them (and the report shows them). */
export type CheckKind = (typeof EVAL_CHECK_FIELDS)[number];

export type EvalCheck =
  | { kind: "contains" | "not_contains"; texts: string[]; caseSensitive: boolean }
  | { kind: "regex" | "not_regex"; patterns: { pattern: string; flags: string }[] }
  | { kind: "max_chars" | "max_words" | "max_questions"; limit: number }
  /** `persona`: the language of the persona's own prompt. Otherwise an ISO 639 code as written. */
  | { kind: "language"; language: string }
  | { kind: "rubric"; rubric: string };

export interface EvalTurn {
  user: string;
  assistant: string;
}

export interface EvalCase {
  name: string;
  /** `personas/tutor.evals.yaml:12`: where to find the case. */
  where: string;
  prompt: string;
  history: EvalTurn[];
  checks: EvalCheck[];
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function patterns(
  value: RegexSpecInput | RegexSpecInput[] | undefined,
): { pattern: string; flags: string }[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((spec) =>
    typeof spec === "string"
      ? { pattern: spec, flags: "" }
      : { pattern: spec.pattern, flags: spec.flags ?? "" },
  );
}

export function toEvalCase(input: EvalCaseInput, index: number, where: string): EvalCase {
  const caseSensitive = input.case_sensitive ?? false;
  const checks: EvalCheck[] = [];
  if (input.contains !== undefined)
    checks.push({ kind: "contains", texts: list(input.contains), caseSensitive });
  if (input.not_contains !== undefined)
    checks.push({ kind: "not_contains", texts: list(input.not_contains), caseSensitive });
  if (input.regex !== undefined) checks.push({ kind: "regex", patterns: patterns(input.regex) });
  if (input.not_regex !== undefined) checks.push({ kind: "not_regex", patterns: patterns(input.not_regex) });
  if (input.max_chars !== undefined) checks.push({ kind: "max_chars", limit: input.max_chars });
  if (input.max_words !== undefined) checks.push({ kind: "max_words", limit: input.max_words });
  if (input.max_questions !== undefined) checks.push({ kind: "max_questions", limit: input.max_questions });
  if (input.language !== undefined) checks.push({ kind: "language", language: input.language });
  if (input.rubric !== undefined) checks.push({ kind: "rubric", rubric: input.rubric });
  return {
    name: input.name ?? `case ${index + 1}`,
    where,
    prompt: input.prompt,
    history: input.history ?? [],
    checks,
  };
}
