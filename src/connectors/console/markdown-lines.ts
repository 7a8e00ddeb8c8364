/**
 * One line of Markdown for the terminal, and the one piece of state that crosses lines: whether a
 * fenced code block is open. What a line is shows in its first few characters, so a line can be
 * rendered before it is complete (see markdown-stream.ts):
 *
 * | Markdown          | colour terminal                         | without colour            |
 * | ----------------- | --------------------------------------- | ------------------------- |
 * | `# Title`         | bold (level 1 also underlined), no `#`   | `# Title` as written      |
 * | `- item`, `* item`| `• item`, indentation kept               | the same                  |
 * | `1. item`         | as written                               | the same                  |
 * | `> quote`         | dim `│ ` then the text                   | `│ ` then the text        |
 * | `---`             | a dim rule                               | a rule                    |
 * | ```` ```lang ```` | a dim `── lang` line, the code indented  | the same, not dimmed      |
 * | spans             | markdown-inline.ts                       |                           |
 *
 * Code lines are shown as they are: no spans, nothing removed. Tables and HTML stay as written.
 */
import { renderInline, styled } from "./markdown-inline.js";
import { BOLD, DIM, paint, type Style, UNDERLINE } from "./terminal-style.js";

export interface Fence {
  /** "`" or "~". */
  marker: string;
  length: number;
  /** The opening line's indentation: kept for the block (a code block inside a list item). */
  indent: string;
}

export interface LineOptions {
  color: boolean;
  /** Styles the whole text stands in (a dimmed notice). */
  outer: readonly Style[];
  /**
   * The line follows a speaker label (`🎓 Tutor: `): a block (list, heading, code, quote, rule)
   * starts on a line of its own instead.
   */
  afterLabel: boolean;
}

const CODE_INDENT = "    ";
const RULE = "─".repeat(40);

/** The fence a complete `line` leaves open, given the one open before it. */
export function fenceAfter(line: string, fence: Fence | undefined): Fence | undefined {
  if (fence !== undefined) return closesFence(line, fence) ? undefined : fence;
  return openingFence(line);
}

function openingFence(line: string): (Fence & { info: string }) | undefined {
  const match = /^([ \t]*)(`{3,}|~{3,})(.*)$/u.exec(line);
  const [, indent = "", run = "", info = ""] = match ?? [];
  if (match === null || (run.startsWith("`") && info.includes("`"))) return undefined;
  return { marker: run.charAt(0), length: run.length, indent, info: info.trim() };
}

function closesFence(line: string, fence: Fence): boolean {
  const run = line.trim();
  return run.length >= fence.length && [...run].every((character) => character === fence.marker);
}

/**
 * The rendering of `line` (no line break) that no later text of the line can change; all of it when
 * `final` (the line has ended). `fence`: the code block open before this line, if any.
 */
export function renderLine(
  line: string,
  final: boolean,
  fence: Fence | undefined,
  options: LineOptions,
): string {
  if (fence !== undefined) return codeLine(line, final, fence, options) ?? "";
  const rendered = blockLine(line, final, options, false);
  if (rendered === undefined) return "";
  return options.afterLabel && rendered.block ? `\n${rendered.text}` : rendered.text;
}

function codeLine(line: string, final: boolean, fence: Fence, options: LineOptions): string | undefined {
  // Until something other than the fence's marker arrives, this may be the closing fence.
  const mayClose = [...line.trim()].every((character) => character === fence.marker);
  if (mayClose && !final) return undefined;
  if (final && closesFence(line, fence)) return closingRule(fence, options);
  let strip = 0;
  while (strip < fence.indent.length && /[ \t]/u.test(line.charAt(strip))) strip++;
  const code = line.slice(strip);
  return code.trim() === "" ? "" : `${fence.indent}${CODE_INDENT}${code}`;
}

/** Closes a code block the text left open (an answer cut short, a forgotten fence). */
export function closingRule(fence: Fence, options: Pick<LineOptions, "color" | "outer">): string {
  return `${fence.indent}  ${paint("──", DIM, options.outer, options.color)}`;
}

interface Rendered {
  text: string;
  /** A block element (not a paragraph line or a blank one). */
  block: boolean;
}

/** undefined: the line's first characters do not yet say what it is. */
function blockLine(
  line: string,
  final: boolean,
  options: LineOptions,
  inQuote: boolean,
): Rendered | undefined {
  const indent = /^[ \t]*/u.exec(line)?.[0] ?? "";
  const rest = line.slice(indent.length);
  const paragraph = (): Rendered => ({ text: indent + renderInline(rest, final, options), block: false });
  if (rest === "") return final ? { text: "", block: false } : undefined;
  const first = rest.charAt(0);
  const run = runOf(rest, first);

  if ((first === "`" || first === "~") && !inQuote) {
    if (run >= 3) {
      if (!final) return undefined;
      const fence = openingFence(line);
      if (fence !== undefined) {
        const label = fence.info === "" ? "──" : `── ${fence.info}`;
        return { text: `${indent}  ${paint(label, DIM, options.outer, options.color)}`, block: true };
      }
      return paragraph();
    }
    if (run === rest.length && !final) return undefined;
  }

  if (first === "#" && run <= 6) {
    if (run === rest.length && !final) return undefined;
    if (run === rest.length || /[ \t]/u.test(rest.charAt(run))) {
      if (!final) return undefined;
      return { text: indent + heading(run, rest.slice(run), options), block: true };
    }
  }

  // `-`, `- -`, `***`: a bullet or a rule, told apart at the end of the line.
  if (/^([-*_])(?:[ \t]*\1)*[ \t]*$/u.test(rest)) {
    if (!final) return undefined;
    if (runOf(rest.replace(/[ \t]/gu, ""), first) >= 3) {
      return { text: indent + paint(RULE, DIM, options.outer, options.color), block: true };
    }
  }

  if (first === "-" || first === "*" || first === "+") {
    if (rest.length === 1 && !final) return undefined;
    if (/[ \t]/u.test(rest.charAt(1))) {
      return { text: `${indent}• ${renderInline(rest.slice(2), final, options)}`, block: true };
    }
  }

  if (first === ">") {
    if (rest.length === 1 && !final) return undefined;
    const quoted = blockLine(rest.slice(rest.startsWith("> ") ? 2 : 1), final, options, true);
    if (quoted === undefined) return undefined;
    const bar = paint("│", DIM, options.outer, options.color);
    return { text: `${indent}${bar} ${quoted.text}`, block: true };
  }

  return paragraph();
}

function runOf(text: string, character: string): number {
  let length = 0;
  while (text.charAt(length) === character) length++;
  return length;
}

function heading(level: number, afterMarks: string, options: LineOptions): string {
  // `## Title ##`: the closing marks are decoration.
  const title = afterMarks.replace(/[ \t]+#+[ \t]*$/u, "").trim();
  if (!options.color) return `${"#".repeat(level)} ${renderInline(title, true, options)}`.trimEnd();
  return styled(title, level === 1 ? [BOLD, UNDERLINE] : [BOLD], options);
}
