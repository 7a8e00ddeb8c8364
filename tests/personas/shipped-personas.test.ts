/** The personas shipped in personas/ are product: they must load, and each must be complete. */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Persona } from "../../src/core/persona.js";
import type { EvalCase } from "../../src/evals/eval-case.js";
import { loadPersonaEvals } from "../../src/evals/load-evals.js";
import { silentLogger } from "../../src/lib/logger.js";
import { loadPersonaDirectory } from "../../src/personas/persona-directory.js";

const shippedDir = fileURLToPath(new URL("../../personas", import.meta.url));
const shippedNames = ["coder", "storyteller", "support", "tutor"];
let personas: Persona[];
const evalsByName = new Map<string, EvalCase[]>();

beforeAll(async () => {
  const directory = await loadPersonaDirectory(shippedDir, { logger: silentLogger, watch: false });
  personas = directory.list();
  directory.close();
  // Throws, failing every test, when an evals file does not parse.
  for (const persona of personas) evalsByName.set(persona.name, await loadPersonaEvals(persona));
});

function shipped(name: string): Persona {
  const persona = personas.find((candidate) => candidate.name === name);
  if (!persona) throw new Error(`persona ${name} is not shipped`);
  return persona;
}

describe("shipped personas", () => {
  it("are the four personas, all valid, with distinct names and display names", () => {
    expect(personas.map((persona) => persona.name)).toEqual(shippedNames);
    expect(new Set(personas.map((persona) => persona.displayName)).size).toBe(shippedNames.length);
  });

  it("have distinct, substantial system prompts", () => {
    const prompts = personas.map((persona) => persona.systemPrompt);
    expect(new Set(prompts).size).toBe(prompts.length);
    for (const prompt of prompts) expect(prompt.length).toBeGreaterThan(1500);
  });

  it.each(shippedNames)("%s is complete: description, greeting, emoji, drift reminder, tags", (name) => {
    const persona = shipped(name);
    expect(persona.description.length).toBeGreaterThan(20);
    expect(persona.description.length).toBeLessThanOrEqual(100);
    expect(persona.greeting?.length ?? 0).toBeGreaterThan(20);
    expect(persona.emoji).toBeTruthy();
    expect(persona.postHistory?.length ?? 0).toBeGreaterThan(40);
    expect(persona.tags.length).toBeGreaterThan(0);
    expect(persona.maxTokens).toBeGreaterThan(0);
  });

  it.each(shippedNames)("%s is told it speaks in chat and may hear several named people", (name) => {
    const prompt = shipped(name).systemPrompt;
    expect(prompt).toMatch(/Discord or Slack/);
    expect(prompt).toMatch(/display name/);
    expect(prompt).toMatch(/Never start your own reply with a name prefix/);
  });

  it("sample as their roles need: the coder steadiest, the storyteller most inventive", () => {
    const temperature = (name: string) => shipped(name).temperature ?? Number.NaN;
    expect(temperature("coder")).toBeLessThan(temperature("tutor"));
    expect(temperature("support")).toBeLessThan(temperature("tutor"));
    expect(temperature("storyteller")).toBeGreaterThan(temperature("tutor"));
  });

  it("show their role in their few-shot examples", () => {
    expect(shipped("coder").examples.some((example) => /```python\n/.test(example.assistant))).toBe(true);
    expect(shipped("storyteller").examples.some((example) => /\n1\. .*\n2\. /.test(example.assistant))).toBe(
      true,
    );
    expect(shipped("support").examples.some((example) => /can't issue refunds/.test(example.assistant))).toBe(
      true,
    );
    expect(shipped("tutor").examples.some((example) => example.assistant.trim().endsWith("?"))).toBe(true);
  });

  it.each(shippedNames)("%s carries at least ten eval cases that parse, each checking something", (name) => {
    const cases = evalsByName.get(name) ?? [];
    expect(cases.length).toBeGreaterThanOrEqual(10);
    for (const evalCase of cases) expect(evalCase.checks.length).toBeGreaterThan(0);
    expect(new Set(cases.map((evalCase) => evalCase.name)).size).toBe(cases.length);
  });

  it("their evals hold each persona to what makes it that persona", () => {
    const kinds = (name: string) => (evalsByName.get(name) ?? []).flatMap((evalCase) => evalCase.checks);
    // The tutor asks at most one question and does not just give the answer.
    expect(kinds("tutor").filter((check) => check.kind === "max_questions").length).toBeGreaterThanOrEqual(5);
    expect(
      kinds("tutor").some(
        (check) => check.kind === "rubric" && /does not state the final answer/.test(check.rubric),
      ),
    ).toBe(true);
    // Support never invents a policy and says when it does not know.
    expect(
      kinds("support").some(
        (check) =>
          check.kind === "rubric" && /invent/.test(check.rubric) && /doesn't know/.test(check.rubric),
      ),
    ).toBe(true);
    // The storyteller ends with numbered choices and never acts for the player.
    expect(
      kinds("storyteller").some(
        (check) => check.kind === "regex" && check.patterns.some((p) => p.pattern.includes("2[.)]")),
      ),
    ).toBe(true);
    expect(
      kinds("storyteller").some((check) => check.kind === "rubric" && /does not decide/.test(check.rubric)),
    ).toBe(true);
    // The coder gives code in fenced blocks with a language tag.
    expect(
      kinds("coder").filter(
        (check) => check.kind === "regex" && check.patterns.some((p) => p.pattern.startsWith("```")),
      ).length,
    ).toBeGreaterThanOrEqual(3);
  });
});
