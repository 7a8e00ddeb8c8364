/** The README's whole persona example must be a valid persona file: people copy it. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePersona } from "../src/personas/parser/persona-parser.js";

const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");

describe("README", () => {
  it("shows a persona example that parses, with the fields it talks about", () => {
    const example = /```markdown\n(---\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const persona = parsePersona(example ?? "", { path: "personas/pirate.md", fileName: "pirate.md" });
    expect(persona).toMatchObject({
      name: "pirate",
      displayName: "Captain Quill",
      temperature: 0.9,
      maxTokens: 400,
    });
    expect(persona.examples).toHaveLength(1);
    expect(persona.postHistory).toContain("pirate");
  });

  it("documents every configuration variable", () => {
    const configSource = readFileSync(join(import.meta.dirname, "..", "src", "config.ts"), "utf8");
    const variables = [...configSource.matchAll(/^ {2}([A-Z][A-Z_]+): \{/gm)].map((match) => match[1]);
    expect(variables.length).toBeGreaterThan(10);
    for (const variable of variables) expect(readme).toContain(`| \`${variable}\` |`);
  });
});
