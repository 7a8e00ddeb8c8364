/**
 * Runs personas' cases against the model: each case `runs` times, one at a time (the model is one
 * machine's or one server's, and the timings stay comparable), its answer from the bot's own path,
 * then every check. A failed answer fails each of the case's checks with the model's cause, so the
 * pass rate counts it and the report says why. A persona's pass rate is its checks passed over its
 * checks run, across every run.
 */
import type { Persona } from "../core/persona.js";
import { type AnswerDependencies, answerCase } from "./answer-case.js";
import { type CheckResult, runCheck } from "./checks.js";
import type { CheckKind, EvalCase } from "./eval-case.js";
import type { Judge } from "./judge.js";
import type { LanguageDetector } from "./language-detector.js";

export interface CaseRun {
  evalCase: EvalCase;
  run: number;
  /** The answer, or undefined when the model failed. */
  answer?: string;
  /** The model's failure, when it failed. */
  cause?: string;
  checks: CheckResult[];
  ms: number;
}

export interface PersonaResult {
  persona: Persona;
  runs: CaseRun[];
  ms: number;
}

export interface EvalDependencies extends AnswerDependencies {
  judge: Judge;
  detector: LanguageDetector;
  /** Told after each case run: the CLI shows progress. */
  onCaseRun?(persona: Persona, run: CaseRun): void;
}

export async function evaluatePersona(
  dependencies: EvalDependencies,
  persona: Persona,
  cases: readonly EvalCase[],
  runs: number,
): Promise<PersonaResult> {
  const started = Date.now();
  const results: CaseRun[] = [];
  for (const evalCase of cases) {
    for (let run = 1; run <= runs; run++) {
      const caseRun = await runCase(dependencies, persona, evalCase, run);
      results.push(caseRun);
      dependencies.onCaseRun?.(persona, caseRun);
    }
  }
  return { persona, runs: results, ms: Date.now() - started };
}

async function runCase(
  dependencies: EvalDependencies,
  persona: Persona,
  evalCase: EvalCase,
  run: number,
): Promise<CaseRun> {
  const started = Date.now();
  const answer = await answerCase(dependencies, persona, evalCase);
  if (!answer.ok) {
    const checks = evalCase.checks.map((check) => ({
      kind: check.kind,
      pass: false,
      reason: `no answer: ${answer.cause}`,
    }));
    return { evalCase, run, cause: answer.cause, checks, ms: Date.now() - started };
  }
  const context = {
    persona,
    prompt: evalCase.prompt,
    history: evalCase.history,
    answer: answer.text,
    judge: dependencies.judge,
    detector: dependencies.detector,
  };
  const checks: CheckResult[] = [];
  for (const check of evalCase.checks) checks.push(await runCheck(check, context));
  return { evalCase, run, answer: answer.text, checks, ms: Date.now() - started };
}

export interface Tally {
  passed: number;
  total: number;
}

export function passRate(tally: Tally): number {
  return tally.total === 0 ? 1 : tally.passed / tally.total;
}

/** Checks passed and run, for one kind or (kind undefined) all of them. */
export function tally(result: PersonaResult, kind?: CheckKind): Tally {
  let passed = 0;
  let total = 0;
  for (const run of result.runs) {
    for (const check of run.checks) {
      if (kind !== undefined && check.kind !== kind) continue;
      total += 1;
      if (check.pass) passed += 1;
    }
  }
  return { passed, total };
}
