/**
 * What an eval run shows: the table printed at the end (persona × check kind, pass rate, time) and
 * the Markdown report written to a file, which adds every failed check with its reason and the
 * answer it judged, so a failure can be read without running it again.
 */
import { join } from "node:path";
import { EVAL_CHECK_FIELDS } from "../personas/parser/evals-schema.js";
import type { CheckKind } from "./eval-case.js";
import { type PersonaResult, passRate, type Tally, tally } from "./run-evals.js";

export interface ReportMeta {
  model: string;
  date: Date;
  threshold: number;
  runs: number;
}

const KIND_ORDER: readonly CheckKind[] = EVAL_CHECK_FIELDS;

/** `data/evals/2026-12-04-llama3.2.md`: the day (UTC) and the model, made safe for a file name. */
export function defaultReportPath(date: Date, model: string): string {
  const safeModel = model.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "model";
  return join("data", "evals", `${date.toISOString().slice(0, 10)}-${safeModel}.md`);
}

export function meetsThreshold(result: PersonaResult, threshold: number): boolean {
  return passRate(tally(result)) >= threshold;
}

function kindsOf(result: PersonaResult): CheckKind[] {
  const used = new Set(result.runs.flatMap((run) => run.checks.map((check) => check.kind)));
  return KIND_ORDER.filter((kind) => used.has(kind));
}

function percent(value: Tally): string {
  return `${Math.round(passRate(value) * 100)}%`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

interface Row {
  persona: string;
  check: string;
  passed: string;
  rate: string;
  verdict: string;
  time: string;
}

function rows(results: readonly PersonaResult[], threshold: number): Row[] {
  return results.flatMap((result) => {
    const name = result.persona.name;
    const perKind = kindsOf(result).map((kind) => {
      const counted = tally(result, kind);
      return {
        persona: name,
        check: kind,
        passed: `${counted.passed}/${counted.total}`,
        rate: percent(counted),
        verdict: "",
        time: "",
      };
    });
    const all = tally(result);
    return [
      ...perKind,
      {
        persona: name,
        check: "all",
        passed: `${all.passed}/${all.total}`,
        rate: percent(all),
        verdict: meetsThreshold(result, threshold) ? "pass" : "FAIL",
        time: seconds(result.ms),
      },
    ];
  });
}

const HEADER: Row = {
  persona: "persona",
  check: "check",
  passed: "passed",
  rate: "rate",
  verdict: "",
  time: "time",
};

/** The plain-text table for the terminal. */
export function summaryTable(results: readonly PersonaResult[], threshold: number): string {
  const all = [HEADER, ...rows(results, threshold)];
  const keys: (keyof Row)[] = ["persona", "check", "passed", "rate", "verdict", "time"];
  const widths = keys.map((key) => Math.max(...all.map((row) => row[key].length)));
  return `${all
    .map((row) =>
      keys
        .map((key, index) => row[key].padEnd(widths[index] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}

/** The Markdown report. */
export function markdownReport(results: readonly PersonaResult[], meta: ReportMeta): string {
  const passedAll = results.every((result) => meetsThreshold(result, meta.threshold));
  const lines = [
    `# Persona evals: ${meta.model}`,
    "",
    `- date: ${meta.date.toISOString()}`,
    `- model: ${meta.model}`,
    `- runs per case: ${meta.runs}`,
    `- threshold: ${Math.round(meta.threshold * 100)}% of checks per persona`,
    `- result: ${passedAll ? "every persona meets the threshold" : "below the threshold: see the failures"}`,
    "",
    "| persona | check | passed | rate | verdict | time |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows(results, meta.threshold).map(
      (row) =>
        `| ${row.persona} | ${row.check} | ${row.passed} | ${row.rate} | ${row.verdict} | ${row.time} |`,
    ),
  ];
  for (const result of results) {
    const failed = result.runs.filter((run) => run.checks.some((check) => !check.pass));
    lines.push("", `## ${result.persona.name}`, "");
    if (failed.length === 0) {
      lines.push(`All ${result.runs.length} case runs passed every check.`);
      continue;
    }
    for (const run of failed) {
      const runLabel = meta.runs > 1 ? ` (run ${run.run})` : "";
      lines.push(`### ${escapeMarkdown(run.evalCase.name)}${runLabel}`, "");
      lines.push(`${run.evalCase.where} · prompt: ${quoteInline(run.evalCase.prompt)}`, "");
      for (const check of run.checks) {
        lines.push(`- ${check.pass ? "pass" : "**fail**"} \`${check.kind}\`: ${asMarkdown(check.reason)}`);
      }
      lines.push("");
      if (run.answer !== undefined) lines.push("Answer:", "", fenced(run.answer), "");
      else lines.push(`No answer: ${asMarkdown(run.cause ?? "unknown")}`, "");
    }
  }
  return `${lines.join("\n")}\n`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").replace(/([\\`*_[\]<>|])/g, "\\$1");
}

/**
 * A reason as one line of Markdown. One that quotes a pattern or markup (`/^\s*1[.)]/`) goes in a
 * code span, where it reads as written; escaped, it would be unreadable in the file itself.
 */
function asMarkdown(text: string): string {
  const line = text.replace(/\s*\n\s*/g, " ");
  if (!/[\\`*_[\]<>|]/.test(line)) return line;
  const longest = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(longest + 1);
  return `${ticks} ${line} ${ticks}`;
}

function quoteInline(text: string): string {
  const line = text.replace(/\s*\n\s*/g, " ");
  return JSON.stringify(line.length > 200 ? `${line.slice(0, 199)}…` : line);
}

/** The answer in a fence longer than any backtick run inside it, so its own code blocks stay in. */
function fenced(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${text.trim()}\n${fence}`;
}
