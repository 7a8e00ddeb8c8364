/**
 * Which personas an eval run covers, with their cases: the ones named on the command line (each
 * must have loaded and have cases), or every persona with cases. Whatever stands in the way (a
 * named persona that is missing or broken, a problem in an evals file) is an EvalSetupError that
 * lists every problem at once: it is the configuration to fix (exit 2), not a failed eval.
 */
import type { Persona } from "../core/persona.js";
import { formatPersonaProblem, PersonaFileError } from "../personas/parser/persona-file-error.js";
import type { PersonaRefusal } from "../personas/persona-file-report.js";
import type { EvalCase } from "./eval-case.js";
import { loadPersonaEvals, siblingEvalsPath } from "./load-evals.js";

export class EvalSetupError extends Error {
  override readonly name = "EvalSetupError";
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

export interface EvalSuite {
  persona: Persona;
  cases: EvalCase[];
}

export interface PersonaSource {
  list(): Persona[];
  startup: { skipped: readonly PersonaRefusal[] };
}

export interface EvalSuites {
  suites: EvalSuite[];
  /** Said on standard error: personas not run, and why. */
  notes: string[];
}

export async function collectEvalSuites(
  personas: PersonaSource,
  names: readonly string[],
): Promise<EvalSuites> {
  const problems: string[] = [];
  const notes: string[] = [];
  const available = personas.list();
  const skippedByName = new Map(
    personas.startup.skipped.map((refusal) => [
      refusal.name ?? refusal.fileName.replace(/\.md$/i, ""),
      refusal,
    ]),
  );
  for (const refusal of personas.startup.skipped) {
    notes.push(`not loaded, so not evaluated: ${refusal.problems.map(formatPersonaProblem).join("; ")}`);
  }
  let chosen = available;
  if (names.length > 0) {
    chosen = [];
    for (const name of names) {
      const persona = available.find((candidate) => candidate.name === name);
      if (persona !== undefined) chosen.push(persona);
      else if (skippedByName.has(name))
        problems.push(`persona "${name}" did not load: see the problem above`);
      else problems.push(`no persona "${name}": the personas are ${available.map((p) => p.name).join(", ")}`);
    }
  }
  const suites: EvalSuite[] = [];
  for (const persona of chosen) {
    let cases: EvalCase[];
    try {
      cases = await loadPersonaEvals(persona);
    } catch (error) {
      if (!(error instanceof PersonaFileError)) throw error;
      problems.push(...error.problems.map(formatPersonaProblem));
      continue;
    }
    if (cases.length > 0) suites.push({ persona, cases });
    else if (names.includes(persona.name)) {
      problems.push(
        `persona "${persona.name}" has no eval cases: add evals: to ${persona.source} or write ${siblingEvalsPath(persona.source)}`,
      );
    } else notes.push(`${persona.name}: no eval cases, skipped`);
  }
  if (problems.length > 0) throw new EvalSetupError(problems);
  if (suites.length === 0) {
    throw new EvalSetupError([
      "no persona has eval cases: add evals: to a persona file or write NAME.evals.yaml beside NAME.md",
    ]);
  }
  return { suites, notes };
}
