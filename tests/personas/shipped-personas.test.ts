/** The personas shipped in personas/ are product: they must load, and each must be complete. */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Persona } from "../../src/core/persona.js";
import { silentLogger } from "../../src/lib/logger.js";
import { loadPersonaDirectory } from "../../src/personas/persona-directory.js";

const shippedDir = fileURLToPath(new URL("../../personas", import.meta.url));
const shippedNames = ["coder", "storyteller", "support", "tutor"];
let personas: Persona[];

beforeAll(async () => {
  const directory = await loadPersonaDirectory(shippedDir, { logger: silentLogger, watch: false });
  personas = directory.list();
  directory.close();
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
});
