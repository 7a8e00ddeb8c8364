/**
 * `npm run eval` as a person runs it: the real process against the fake Ollama, with personas and
 * evals files in a temporary folder. Exit 0 at or over the threshold, 1 under it, 2 for a
 * configuration error; the table on standard output; the report file; --model reaching the server.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { runCommand } from "../helpers/run-troupe.js";

let ollama: FakeOllama;
let dir: string;

const tutor = `---
description: A patient tutor.
post_history: Stay the tutor.
---
You are a patient tutor. Guide the learner to the answer and ask them what they tried.
`;

const tutorEvals = `- name: guides
  prompt: "Solve 2x + 6 = 14"
  not_contains: "x = 4"
  max_questions: 1
- name: judged
  prompt: "Explain fractions"
  rubric: "explains in plain words"
- name: too long
  prompt: "Tell me about Rome"
  max_words: 3
`;

beforeAll(async () => {
  ollama = await startFakeOllama({ models: ["eval-model:latest", "llama3.2:latest"] });
  // The judge quotes the prompt, so its rule comes before the answers' (the first match wins).
  ollama.replyWhen("Criterion: explains in plain words", { chunks: ['{"pass": true, "reason": "plain"}'] });
  ollama.replyWhen("Solve 2x + 6 = 14", { chunks: ["What could you subtract from both sides?"] });
  ollama.replyWhen("Explain fractions", { chunks: ["A fraction is a part of a whole."] });
  ollama.replyWhen("Tell me about Rome", { chunks: ["Rome was founded, legend says, in 753 BC."] });
  dir = await mkdtemp(join(tmpdir(), "troupe-eval-cli-"));
  await writeFile(join(dir, "tutor.md"), tutor);
  await writeFile(join(dir, "tutor.evals.yaml"), tutorEvals);
  await writeFile(join(dir, "plain.md"), "You are plain.\n");
});

afterAll(async () => {
  await ollama.close();
  await rm(dir, { recursive: true, force: true });
});

function runEval(args: string[], personasDir = dir) {
  return runCommand("npm", ["run", "eval", "--silent", "--", ...args], {
    env: { MODEL_PROVIDER: "ollama", OLLAMA_HOST: ollama.host, PERSONAS_DIR: personasDir, NO_COLOR: "1" },
  });
}

// Each test starts `npm run eval` once or twice (tsx compiling the sources): slow on a busy machine.
describe("npm run eval", { timeout: 120_000 }, () => {
  it("passes at the threshold: table, report, exit 0, and --model reaches the model server", async () => {
    const out = join(dir, "report.md");
    const run = await runEval(["--model", "eval-model", "--threshold", "0.75", "--out", out]);
    expect(run.stderr).toContain("plain: no eval cases, skipped");
    expect(run.code).toBe(0);
    // 3 of 4 checks (75%, the threshold itself): the answer about Rome has more than 3 words.
    expect(run.stdout).toMatch(/tutor\s+not_contains\s+1\/1\s+100%/);
    expect(run.stdout).toMatch(/tutor\s+max_words\s+0\/1\s+0%/);
    expect(run.stdout).toMatch(/tutor\s+rubric\s+1\/1\s+100%/);
    expect(run.stdout).toMatch(/tutor\s+all\s+3\/4\s+75%\s+pass/);
    expect(run.stdout).toContain(`Report: ${out}`);

    const report = await readFile(out, "utf8");
    expect(report).toContain("# Persona evals: eval-model");
    expect(report).toContain("| tutor | all | 3/4 | 75% | pass |");
    expect(report).toContain("### too long");
    expect(report).toContain(`${join(dir, "tutor.evals.yaml")}:8`);
    expect(report).toContain("- **fail** `max_words`: 8 words, at most 3 allowed");
    expect(report).toContain("Rome was founded, legend says, in 753 BC.");

    const models = new Set(ollama.chatBodies().map((body) => body.model));
    expect(models).toEqual(new Set(["eval-model"]));
  });

  it("under the threshold: exit 1", async () => {
    const run = await runEval(["tutor", "--threshold", "0.9", "--out", join(dir, "under.md")]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/tutor\s+all\s+3\/4\s+75%\s+FAIL/);
  });

  it("a bad regex in an evals file is a configuration error naming the file and line: exit 2", async () => {
    const broken = await mkdtemp(join(tmpdir(), "troupe-eval-broken-"));
    try {
      await writeFile(join(broken, "tutor.md"), tutor);
      await writeFile(
        join(broken, "tutor.evals.yaml"),
        '- prompt: "hi"\n  max_words: 3\n- prompt: "x"\n  regex: "(a"\n',
      );
      const run = await runEval([], broken);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `${join(broken, "tutor.evals.yaml")}:4: field "[1].regex": is not a valid regular expression`,
      );
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it("a bad flag or an unknown persona is a configuration error: exit 2", async () => {
    const flag = await runEval(["--runs", "0"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--runs must be a whole number from 1 to 100");
    const unknown = await runEval(["nobody"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no persona "nobody"');
  });

  it("a model the server does not have is a configuration error, not a run of failures: exit 2", async () => {
    const run = await runEval(["tutor", "--model", "never-pulled"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("the model is not ready (see above): nothing was evaluated");
    expect(run.stdout).toBe("");
  });
});
