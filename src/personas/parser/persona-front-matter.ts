/**
 * Splits a persona file into its YAML front matter and its Markdown body, keeping the line numbers
 * so later errors can point into the file.
 */

const FENCE = /^---[ \t]*$/;

export interface PersonaFileParts {
  /** The YAML text between the fences; undefined when the file has no front matter. */
  frontMatter?: string;
  /** The file line on which the front matter's first line sits (the line after the opening `---`). */
  frontMatterFirstLine: number;
  body: string;
  /** The file line on which the body starts. */
  bodyFirstLine: number;
}

/** A problem found while splitting, before any YAML is read. */
export interface FrontMatterSplitProblem {
  line: number;
  reason: string;
}

/** Editors on Windows save CRLF and some add a byte-order mark; neither should matter. */
export function normalizePersonaText(text: string): string {
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}

export function splitPersonaFile(normalizedText: string): PersonaFileParts | FrontMatterSplitProblem {
  const lines = normalizedText.split("\n");
  if (!FENCE.test(lines[0] ?? "")) {
    const firstContentIndex = lines.findIndex((line) => line.trim() !== "");
    // A blank line before `---` would silently turn the settings into part of the system prompt.
    if (firstContentIndex > 0 && FENCE.test(lines[firstContentIndex] ?? "") && hasClosingFence(lines)) {
      return {
        line: firstContentIndex + 1,
        reason: 'the front matter must start on line 1: remove the blank lines before "---"',
      };
    }
    return { body: normalizedText, bodyFirstLine: 1, frontMatterFirstLine: 1 };
  }
  const closingIndex = lines.findIndex((line, index) => index > 0 && FENCE.test(line));
  if (closingIndex === -1) {
    return {
      line: 1,
      reason:
        'the front matter opened with "---" on line 1 is never closed: add a line "---" after the last ' +
        "setting, then the system prompt below it",
    };
  }
  return {
    frontMatter: lines.slice(1, closingIndex).join("\n"),
    frontMatterFirstLine: 2,
    body: lines.slice(closingIndex + 1).join("\n"),
    bodyFirstLine: closingIndex + 2,
  };
}

function hasClosingFence(lines: string[]): boolean {
  return lines.filter((line) => FENCE.test(line)).length >= 2;
}

export function isSplitProblem(
  parts: PersonaFileParts | FrontMatterSplitProblem,
): parts is FrontMatterSplitProblem {
  return "reason" in parts;
}
