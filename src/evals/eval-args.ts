/**
 * `npm run eval -- [NAME…] [--model M] [--threshold 0.8] [--out FILE.md] [--runs N]`, read and
 * checked before anything starts: a bad flag is a configuration error (exit 2) with one line that
 * says which flag and what it takes.
 */
import { parseArgs } from "node:util";

export interface EvalArgs {
  /** Personas to run; empty: every persona that has cases. */
  names: string[];
  model?: string;
  threshold: number;
  out?: string;
  runs: number;
  help: boolean;
}

export class EvalArgsError extends Error {
  override readonly name = "EvalArgsError";
}

export const DEFAULT_THRESHOLD = 0.8;
const MAX_RUNS = 100;

export const EVAL_USAGE = `Usage: npm run eval -- [NAME…] [options]

Runs the personas' eval cases (evals: in a persona file, or NAME.evals.yaml beside it) against the
configured model (the same settings as npm start) and writes a Markdown report.

Options:
  --model M         use model M instead of MODEL
  --threshold R     the pass rate (0 to 1) every persona must reach; default ${DEFAULT_THRESHOLD}
  --out FILE.md     where the report goes; default ./data/evals/<date>-<model>.md
  --runs N          run each case N times; default 1
  --help            show this

Exit code: 0 every persona reaches the threshold, 1 one does not, 2 a configuration error.
`;

export function readEvalArgs(args: readonly string[]): EvalArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new EvalArgsError(`${(error as Error).message.split("\n")[0]} (see --help)`);
  }
  const { values, positionals } = parsed;
  const threshold = values.threshold === undefined ? DEFAULT_THRESHOLD : Number(values.threshold);
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new EvalArgsError(`--threshold must be a number from 0 to 1, like 0.8, got "${values.threshold}"`);
  }
  const runs = values.runs === undefined ? 1 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS) {
    throw new EvalArgsError(`--runs must be a whole number from 1 to ${MAX_RUNS}, got "${values.runs}"`);
  }
  if (values.model !== undefined && values.model.trim() === "")
    throw new EvalArgsError("--model must not be empty");
  if (values.out !== undefined && values.out.trim() === "")
    throw new EvalArgsError("--out must not be empty");
  return {
    names: positionals,
    threshold,
    runs,
    help: values.help === true,
    ...(values.model === undefined ? {} : { model: values.model.trim() }),
    ...(values.out === undefined ? {} : { out: values.out }),
  };
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      model: { type: "string" },
      threshold: { type: "string" },
      out: { type: "string" },
      runs: { type: "string" },
      help: { type: "boolean" },
    },
  });
}
