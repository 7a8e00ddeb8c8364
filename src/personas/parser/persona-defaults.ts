/**
 * What a persona gets when its front matter leaves a field out: the name from the file name, a
 * display name from the name, a description from the first sentence of the system prompt.
 */

import type { PersonaProblem } from "./persona-file-error.js";
import { PERSONA_NAME_PATTERN } from "./persona-schema.js";

export const DESCRIPTION_LIMIT = 100;

export function defaultName(
  source: { path: string; fileName: string },
  problems: PersonaProblem[],
): string | undefined {
  const fromFile = source.fileName.replace(/\.md$/i, "");
  if (PERSONA_NAME_PATTERN.test(fromFile)) return fromFile;
  const suggestion =
    fromFile
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 32) || "my-persona";
  problems.push({
    file: source.path,
    field: "name",
    reason:
      `the file name "${source.fileName}" is not a valid persona name (1-32 characters of a-z, 0-9 and '-'): ` +
      `rename the file (e.g. "${suggestion}.md") or set "name: ${suggestion}" in the front matter`,
  });
  return undefined;
}

/** `code-review` → `Code Review`. */
export function defaultDisplayName(name: string): string {
  return name
    .split("-")
    .filter((word) => word !== "")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

/**
 * How much of the prompt's start the description is looked for in: plenty for a first sentence
 * clipped to 100 characters, and a bound for the patterns below, which are not linear on every
 * text (the link pattern is quadratic on `[[[[…`: a 256 KB prompt of those took 38 s).
 */
const DESCRIPTION_SOURCE_CHARS = 2_000;

/** The first sentence of the prompt, without Markdown markup, clipped to Discord's 100 characters. */
export function defaultDescription(systemPrompt: string): string {
  const lines = systemPrompt.slice(0, DESCRIPTION_SOURCE_CHARS).split("\n");
  const prose = lines.filter((line) => !/^\s*#/.test(line)).join(" ");
  const plain = (prose.trim() === "" ? lines.join(" ") : prose)
    .replace(/[#*_`>]+/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
  const sentence = /^.+?[.!?](?=\s|$)/.exec(plain)?.[0] ?? plain;
  if (sentence.length <= DESCRIPTION_LIMIT) return sentence;
  const clipped = sentence.slice(0, DESCRIPTION_LIMIT - 1);
  const atWord = clipped.replace(/\s+\S*$/, "");
  return `${atWord.length >= DESCRIPTION_LIMIT / 2 ? atWord : clipped}…`;
}
