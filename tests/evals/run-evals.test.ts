/**
 * A persona's cases run end to end in process: the answer made by core's own answer path (the
 * request the fake sees holds the system prompt, the examples, the case's history, post_history
 * and the prompt), the checks passing and failing as designed, the judge asked, a model error a
 * failed case with its cause, and the report that comes of it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EvalCase } from "../../src/evals/eval-case.js";
import { markdownReport, meetsThreshold, summaryTable } from "../../src/evals/eval-report.js";
import { createModelJudge } from "../../src/evals/judge.js";
import { createBuiltInDetector } from "../../src/evals/language-detector.js";
import { type EvalDependencies, evaluatePersona, passRate, tally } from "../../src/evals/run-evals.js";
import { createChatModel } from "../../src/model/create-chat-model.js";
import type { ConversationStore } from "../../src/store/conversation-store.js";
import { createStore } from "../../src/store/create-store.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { startFakeOpenAI } from "../fakes/fake-openai.js";
import { testPersona } from "../helpers/personas.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";

let ollama: FakeOllama;
let store: ConversationStore;
beforeAll(async () => {
  ollama = await startFakeOllama();
  store = await createStore("memory://", { historyTtlMs: 60_000, maxTurns: 100 });
});
afterAll(async () => {
  await store.close();
  await ollama.close();
});
afterEach(() => {
  ollama.requests.length = 0;
});

const persona = testPersona("tutor", {
  displayName: "Tutor",
  description: "A Socratic tutor.",
  systemPrompt: "You are a patient tutor. Guide the learner to the answer and ask them what they tried.",
  examples: [{ user: "example question", assistant: "example answer?" }],
  postHistory: "Stay the tutor.",
  temperature: 0.6,
  maxTokens: 300,
});

function dependencies(): EvalDependencies {
  const model = createChatModel({
    provider: "ollama",
    model: "llama3.2",
    contextTokens: 4096,
    ollamaHost: ollama.host,
    idleTimeoutMs: 5_000,
    retry: { maxAttempts: 1 },
  });
  return {
    model,
    store,
    logger: createRecordingLogger(),
    settings: { contextTokens: 4096, replyTokens: 512 },
    judge: createModelJudge(model),
    detector: createBuiltInDetector(),
  };
}

function evalCase(
  name: string,
  prompt: string,
  checks: EvalCase["checks"],
  history: EvalCase["history"] = [],
): EvalCase {
  return { name, where: `personas/tutor.evals.yaml:${name.length}`, prompt, history, checks };
}

describe("evaluatePersona", () => {
  it("answers through the bot's prompt, then checks the answer", async () => {
    ollama.replyWhen("Solve 2x + 6 = 14", {
      chunks: ["Good start! ", "What could you take away from both sides first?"],
    });
    const cases = [
      evalCase(
        "guides",
        "Solve 2x + 6 = 14",
        [
          { kind: "not_contains", texts: ["x = 4"], caseSensitive: false },
          { kind: "contains", texts: ["both sides"], caseSensitive: false },
          { kind: "max_questions", limit: 1 },
          { kind: "regex", patterns: [{ pattern: "^good", flags: "i" }] },
          { kind: "max_words", limit: 5 },
        ],
        [{ user: "earlier question", assistant: "earlier answer" }],
      ),
    ];
    const result = await evaluatePersona(dependencies(), persona, cases, 1);

    const [body] = ollama.chatBodies();
    expect(body?.messages).toEqual([
      { role: "system", content: persona.systemPrompt },
      { role: "user", content: "example question" },
      { role: "assistant", content: "example answer?" },
      { role: "user", content: "earlier question" },
      { role: "assistant", content: "earlier answer" },
      { role: "system", content: "Stay the tutor." },
      { role: "user", content: "Solve 2x + 6 = 14" },
    ]);
    expect(body?.options).toMatchObject({ temperature: 0.6, num_predict: 300 });

    expect(result.runs).toHaveLength(1);
    expect(result.runs[0]?.answer).toBe("Good start! What could you take away from both sides first?");
    expect(result.runs[0]?.checks.map((check) => [check.kind, check.pass])).toEqual([
      ["not_contains", true],
      ["contains", true],
      ["max_questions", true],
      ["regex", true],
      ["max_words", false],
    ]);
    expect(tally(result)).toEqual({ passed: 4, total: 5 });
    expect(meetsThreshold(result, 0.8)).toBe(true);
    expect(meetsThreshold(result, 0.9)).toBe(false);
  });

  it("asks the judge for a rubric; an unparseable verdict fails the check, the run goes on", async () => {
    // The judge's message quotes the prompt too: its rules come first (the first rule that matches wins).
    ollama.replyWhen("Criterion: explains plainly", { chunks: ['{"pass": true, "reason": "Plain words."}'] });
    ollama.replyWhen("Criterion: uses an example", { chunks: ["hmm, hard to say"] });
    ollama.replyWhen("Explain fractions", { chunks: ["A fraction is a part of a whole."] });
    const result = await evaluatePersona(
      dependencies(),
      persona,
      [
        evalCase("plain", "Explain fractions", [{ kind: "rubric", rubric: "explains plainly" }]),
        evalCase("example", "Explain fractions", [{ kind: "rubric", rubric: "uses an example" }]),
      ],
      1,
    );
    expect(result.runs.map((run) => run.checks[0])).toEqual([
      { kind: "rubric", pass: true, reason: "Plain words." },
      { kind: "rubric", pass: false, reason: 'judge gave no verdict (it said: "hmm, hard to say")' },
    ]);
    // The judge reads the answer the persona gave.
    const judged = ollama.chatBodies().filter((body) => body.messages.at(-1)?.content.includes("Criterion:"));
    expect(judged[0]?.messages.at(-1)?.content).toContain("<<<\nA fraction is a part of a whole.\n>>>");
  });

  it("a model error fails the case's checks with the cause, and the next case still runs", async () => {
    ollama.enqueue({ status: 404, error: 'model "llama3.2" not found, try pulling it first' });
    ollama.replyWhen("second", { chunks: ["fine."] });
    const result = await evaluatePersona(
      dependencies(),
      persona,
      [
        evalCase("first", "first", [
          { kind: "max_chars", limit: 100 },
          { kind: "max_questions", limit: 1 },
        ]),
        evalCase("second", "second", [{ kind: "max_chars", limit: 100 }]),
      ],
      1,
    );
    const [failed, passed] = result.runs;
    expect(failed?.answer).toBeUndefined();
    expect(failed?.cause).toMatch(/llama3\.2/);
    expect(failed?.checks.every((check) => !check.pass && check.reason.startsWith("no answer: "))).toBe(true);
    expect(passed?.checks).toEqual([
      { kind: "max_chars", pass: true, reason: "5 characters, at most 100 allowed" },
    ]);
    expect(passRate(tally(result))).toBeCloseTo(1 / 3);
  });

  it("--runs repeats each case, and the report shows the table and every failure with its answer", async () => {
    ollama.replyWhen("Why is the sky blue?", { chunks: ["Why do you think? ", "What have you read?"] });
    const result = await evaluatePersona(
      dependencies(),
      persona,
      [evalCase("one question", "Why is the sky blue?", [{ kind: "max_questions", limit: 1 }])],
      3,
    );
    expect(result.runs.map((run) => run.run)).toEqual([1, 2, 3]);
    expect(tally(result, "max_questions")).toEqual({ passed: 0, total: 3 });

    const table = summaryTable([result], 0.8);
    expect(table.split("\n")[0]).toMatch(/^persona\s+check\s+passed\s+rate\s+time$/);
    expect(table).toMatch(/tutor\s+max_questions\s+0\/3\s+0%/);
    expect(table).toMatch(/tutor\s+all\s+0\/3\s+0%\s+FAIL\s+\d+\.\d s/);

    const report = markdownReport([result], {
      model: "llama3.2",
      date: new Date("2026-12-04T10:00:00Z"),
      threshold: 0.8,
      runs: 3,
    });
    expect(report).toContain("# Persona evals: llama3.2");
    expect(report).toContain("| tutor | max_questions | 0/3 | 0% |  |  |");
    expect(report).toContain("### one question (run 2)");
    expect(report).toContain("- **fail** `max_questions`: 2 questions, at most 1 allowed");
    expect(report).toContain("```text\nWhy do you think? What have you read?\n```");
    expect(report).toContain("below the threshold");
  });

  it("runs the same against an OpenAI-compatible server, the judge included", async () => {
    const openai = await startFakeOpenAI({ models: ["served-model"] });
    try {
      openai.replyWhen("Criterion: answers in one line", {
        chunks: ['{"pass": false, "reason": "Two lines."}'],
      });
      openai.replyWhen("Name a prime", { chunks: ["7 is prime.\nSo is 11."] });
      const model = createChatModel({
        provider: "openai",
        model: "served-model",
        contextTokens: 4096,
        ollamaHost: "http://127.0.0.1:9",
        openaiBaseUrl: openai.baseURL,
        idleTimeoutMs: 5_000,
        retry: { maxAttempts: 1 },
      });
      const result = await evaluatePersona(
        { ...dependencies(), model, judge: createModelJudge(model) },
        persona,
        [
          evalCase("prime", "Name a prime", [
            { kind: "contains", texts: ["PRIME"], caseSensitive: false },
            { kind: "rubric", rubric: "answers in one line" },
          ]),
        ],
        1,
      );
      expect(result.runs[0]?.checks).toEqual([
        { kind: "contains", pass: true, reason: 'has "PRIME"' },
        { kind: "rubric", pass: false, reason: "Two lines." },
      ]);
      expect(openai.chatBodies().map((body) => body.model)).toEqual(["served-model", "served-model"]);
    } finally {
      await openai.close();
    }
  });
});
