/** The eval command's flags: defaults, overrides, and one clear line for a bad one. */
import { describe, expect, it } from "vitest";
import { EvalArgsError, readEvalArgs } from "../../src/evals/eval-args.js";
import { defaultReportPath } from "../../src/evals/eval-report.js";

describe("readEvalArgs", () => {
  it("defaults: every persona, threshold 0.8, one run, the default report path", () => {
    expect(readEvalArgs([])).toEqual({ names: [], threshold: 0.8, runs: 1, help: false });
  });

  it("reads names and every option", () => {
    expect(
      readEvalArgs([
        "tutor",
        "coder",
        "--model",
        "qwen2.5:7b",
        "--threshold",
        "0.9",
        "--out",
        "r.md",
        "--runs",
        "3",
      ]),
    ).toEqual({
      names: ["tutor", "coder"],
      model: "qwen2.5:7b",
      threshold: 0.9,
      out: "r.md",
      runs: 3,
      help: false,
    });
  });

  it.each([
    [["--threshold", "80"], /--threshold must be a number from 0 to 1/],
    [["--threshold", "x"], /--threshold must be a number from 0 to 1/],
    [["--runs", "1.5"], /--runs must be a whole number from 1 to 100/],
    [["--model", " "], /--model must not be empty/],
    [["--modle", "x"], /Unknown option '--modle'.*\(see --help\)/],
    [["--model"], /--model/],
  ])("%j is refused", (args, message) => {
    expect(() => readEvalArgs(args)).toThrow(EvalArgsError);
    expect(() => readEvalArgs(args)).toThrow(message);
  });
});

describe("defaultReportPath", () => {
  it("is data/evals/<date>-<model>.md, the model made safe for a file name", () => {
    const date = new Date("2026-12-04T23:30:00Z");
    expect(defaultReportPath(date, "llama3.2")).toBe("data/evals/2026-12-04-llama3.2.md");
    expect(defaultReportPath(date, "hf:org/Model:Q4_K_M")).toBe(
      "data/evals/2026-12-04-hf-org-Model-Q4_K_M.md",
    );
  });
});
