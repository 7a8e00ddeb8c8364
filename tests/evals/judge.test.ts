/** The rubric judge through the real Ollama client against the fake: verdicts, and no verdict. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModelJudge, type JudgeRequest, parseVerdict } from "../../src/evals/judge.js";
import { createChatModel } from "../../src/model/create-chat-model.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { testPersona } from "../helpers/personas.js";

let ollama: FakeOllama;
beforeAll(async () => {
  ollama = await startFakeOllama();
});
afterAll(async () => {
  await ollama.close();
});

function judge() {
  const model = createChatModel({
    provider: "ollama",
    model: "llama3.2",
    contextTokens: 4096,
    ollamaHost: ollama.host,
    idleTimeoutMs: 5_000,
    retry: { maxAttempts: 1 },
  });
  return createModelJudge(model);
}

const request = (rubric: string): JudgeRequest => ({
  persona: testPersona("tutor", { displayName: "Tutor", description: "A Socratic tutor." }),
  prompt: "Solve 2x + 6 = 14",
  history: [{ user: "hi", assistant: "Hello! What are we working on?" }],
  answer: "What could you do to both sides first?",
  rubric,
});

describe("model judge", () => {
  it("asks the base model with the exchange and the rubric, and reads a fenced JSON verdict", async () => {
    ollama.replyWhen("Criterion: guides without the answer", {
      chunks: ['Sure.\n```json\n{"pass": true, ', '"reason": "It asks a guiding question."}\n```'],
    });
    const verdict = await judge().judge(request("guides without the answer"));
    expect(verdict).toEqual({ pass: true, reason: "It asks a guiding question." });
    const body = ollama.chatBodies().at(-1);
    expect(body?.model).toBe("llama3.2");
    expect(body?.options).toMatchObject({ temperature: 0 });
    const user = body?.messages.at(-1)?.content ?? "";
    expect(user).toContain("User: hi\nAssistant: Hello! What are we working on?\nUser: Solve 2x + 6 = 14");
    expect(user).toContain("<<<\nWhat could you do to both sides first?\n>>>");
    expect(body?.messages[0]?.content).toMatch(/JSON/);
  });

  it("a failing verdict fails the check with the judge's reason, thinking stripped", async () => {
    ollama.replyWhen("Criterion: states the answer", {
      chunks: ['<think>{"pass": true}</think>', '{"pass": false, "reason": "No answer is stated."}'],
    });
    expect(await judge().judge(request("states the answer"))).toEqual({
      pass: false,
      reason: "No answer is stated.",
    });
  });

  it("an unparseable verdict is a failed check: judge gave no verdict", async () => {
    ollama.replyWhen("Criterion: rambles", { chunks: ["I think it mostly passes, yes."] });
    const verdict = await judge().judge(request("rambles"));
    expect(verdict.pass).toBe(false);
    expect(verdict.reason).toMatch(/^judge gave no verdict \(it said: "I think it mostly passes, yes\."\)$/);
  });

  it("JSON of the wrong shape is no verdict either", async () => {
    ollama.replyWhen("Criterion: wrong shape", { chunks: ['{"verdict": "pass"}'] });
    expect((await judge().judge(request("wrong shape"))).reason).toMatch(/^judge gave no verdict/);
  });

  it("a model error is no verdict with the cause, never a throw", async () => {
    ollama.enqueue({ status: 500, error: "model runner crashed" });
    const verdict = await judge().judge(request("anything"));
    expect(verdict.pass).toBe(false);
    expect(verdict.reason).toMatch(/^judge gave no verdict: the judge's model call failed/);
  });
});

describe("parseVerdict", () => {
  it("takes the first JSON object that parses, with prose around it", () => {
    expect(parseVerdict('Verdict: {"pass": false, "reason": "uses {braces}"} done')).toEqual({
      pass: false,
      reason: "uses {braces}",
    });
    expect(parseVerdict('{"pass": true}')).toEqual({ pass: true, reason: "" });
    expect(parseVerdict('{"pass": "yes", "reason": "x"}')).toBeUndefined();
    expect(parseVerdict("no json")).toBeUndefined();
  });
});
