/**
 * `npm run eval`: the personas' eval cases against the configured model (the same settings as
 * `npm start`, MODEL overridden by --model), a table on standard output, a Markdown report in a
 * file. Exit 0 when every persona's pass rate reaches the threshold, 1 when one does not, 2 for a
 * configuration error (a flag, the environment, a persona or evals file, a model that is not
 * there at start). The wiring
 * only, like main.ts: the work is in src/evals/.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { buildModel } from "./app/build-model.js";
import { createLogger } from "./app/create-logger.js";
import { FatalError } from "./app/fatal.js";
import { openStore } from "./app/open-store.js";
import { ConfigError, environmentWith, loadConfig } from "./config.js";
import { EVAL_USAGE, EvalArgsError, readEvalArgs } from "./evals/eval-args.js";
import { defaultReportPath, markdownReport, meetsThreshold, summaryTable } from "./evals/eval-report.js";
import { collectEvalSuites, EvalSetupError } from "./evals/eval-suites.js";
import { createModelJudge } from "./evals/judge.js";
import { createBuiltInDetector } from "./evals/language-detector.js";
import { evaluatePersona, type PersonaResult } from "./evals/run-evals.js";
import { loadPersonaDirectory, PersonaDirectoryError } from "./personas/persona-directory.js";

const EXIT_BELOW_THRESHOLD = 1;
const EXIT_CONFIGURATION = 2;

async function main(): Promise<number> {
  const args = readEvalArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(EVAL_USAGE);
    return 0;
  }
  const config = loadConfig(environmentWith({ MODEL: args.model }));
  // Unless LOG_LEVEL asks for the bot's log lines, none: each failure's cause is on the progress
  // line and in the report, and a model that is down would otherwise log a stack per case.
  const logger = createLogger(
    { ...config, LOG_LEVEL: config.LOG_LEVEL ?? "fatal" },
    { stdinIsTTY: false, stderrIsTTY: process.stderr.isTTY === true },
  );
  const personas = await loadPersonaDirectory(config.PERSONAS_DIR, {
    logger,
    watch: false,
    maxFileKb: config.PERSONA_MAX_KB,
    contextTokens: config.CONTEXT_TOKENS,
    replyTokens: config.REPLY_TOKENS,
  });
  const { suites, notes } = await collectEvalSuites(personas, args.names);
  for (const note of notes) process.stderr.write(`eval: ${note}\n`);

  // The bot's answer path records each exchange; in memory, so an eval leaves nothing behind.
  const store = await openStore({ ...config, STORE_URL: "memory://" }, logger);
  const built = await buildModel(config, {
    logger,
    interactive: process.stdin.isTTY === true,
    input: process.stdin,
    errorOutput: process.stderr,
  });
  for (const notice of built.notices) process.stderr.write(`${notice}\n`);
  // Not there at all (server down, model not pulled, no model file): every case would fail for the
  // same reason, which is the setup's, not the personas'. A failure during the run is a failed case.
  if (!built.ready) throw new FatalError("the model is not ready (see above): nothing was evaluated");

  const dependencies = {
    model: built.model,
    store,
    logger,
    settings: { contextTokens: config.CONTEXT_TOKENS, replyTokens: config.REPLY_TOKENS },
    judge: createModelJudge(built.model),
    detector: createBuiltInDetector(),
    onCaseRun: (persona: { name: string }, run: PersonaResult["runs"][number]) => {
      const passed = run.checks.filter((check) => check.pass).length;
      const runLabel = args.runs > 1 ? ` #${run.run}` : "";
      const outcome =
        run.cause === undefined ? `${passed}/${run.checks.length} checks` : `no answer: ${run.cause}`;
      process.stderr.write(
        `${persona.name}: ${run.evalCase.name}${runLabel}: ${outcome} (${(run.ms / 1000).toFixed(1)} s)\n`,
      );
    },
  };
  const date = new Date();
  const results: PersonaResult[] = [];
  for (const suite of suites) {
    results.push(await evaluatePersona(dependencies, suite.persona, suite.cases, args.runs));
  }
  await store.close();

  process.stdout.write(summaryTable(results, args.threshold));
  const out = args.out ?? defaultReportPath(date, config.MODEL);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(
    out,
    markdownReport(results, { model: config.MODEL, date, threshold: args.threshold, runs: args.runs }),
  );
  process.stdout.write(`Report: ${out}\n`);
  return results.every((result) => meetsThreshold(result, args.threshold)) ? 0 : EXIT_BELOW_THRESHOLD;
}

function isConfigurationError(error: unknown): boolean {
  return [EvalArgsError, ConfigError, FatalError, EvalSetupError, PersonaDirectoryError].some(
    (type) => error instanceof type,
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isConfigurationError(error)) {
      process.stderr.write(`troupe eval: ${(error as Error).message}\n`);
      process.exit(EXIT_CONFIGURATION);
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`troupe eval: unexpected failure: ${detail}\n`);
    process.exit(EXIT_BELOW_THRESHOLD);
  },
);
