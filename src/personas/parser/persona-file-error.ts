/**
 * What is wrong with a persona file, said so an admin can fix it without reading code:
 * `personas/tutor.md:7: field "temprature": unknown field; did you mean "temperature"? (allowed: …)`.
 */

/** One thing wrong with a persona file. `line` is 1-based in the file as the admin sees it. */
export interface PersonaProblem {
  file: string;
  line?: number;
  /** The front-matter field, with nested paths spelled like `examples[1].assistant`. */
  field?: string;
  /** What is wrong and, when it is not obvious, how to fix it. */
  reason: string;
}

export function formatPersonaProblem(problem: PersonaProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  const field = problem.field === undefined ? "" : `field "${problem.field}": `;
  return `${where}: ${field}${problem.reason}`;
}

/**
 * A persona file that cannot be used. Carries every problem found in the file (one per line of the
 * message) so an admin fixes them all in one go; `file`, `line` and `field` are the first one's.
 */
export class PersonaFileError extends Error {
  override readonly name = "PersonaFileError";
  readonly file: string;
  readonly line?: number;
  readonly field?: string;
  readonly problems: readonly PersonaProblem[];

  constructor(problems: readonly [PersonaProblem, ...PersonaProblem[]]) {
    super(problems.map(formatPersonaProblem).join("\n"));
    const [first] = problems;
    this.file = first.file;
    this.problems = problems;
    if (first.line !== undefined) this.line = first.line;
    if (first.field !== undefined) this.field = first.field;
  }
}

/** Sorts problems the way an admin reads the file: top to bottom, unplaced ones last. */
export function byLine(left: PersonaProblem, right: PersonaProblem): number {
  return (left.line ?? Number.MAX_SAFE_INTEGER) - (right.line ?? Number.MAX_SAFE_INTEGER);
}
