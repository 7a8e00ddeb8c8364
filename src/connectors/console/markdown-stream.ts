/**
 * Markdown rendered for a terminal as it streams in, token by token: markdown-lines.ts says what a
 * line shows, this file feeds it and writes only what is new. A line is written as far as its text
 * decides its rendering (a bold span once its closing `**` has come, a list item once `- ` has), and
 * what is on the screen is never taken back: the decided rendering of a line only grows. A code
 * block is recognised across chunks because the open fence is state carried from line to line.
 *
 * Why this small renderer and not a library: `marked` + `marked-terminal`, `cli-markdown` and the
 * like render a whole document (parse it, then lay it out), so a stream means re-rendering
 * everything written so far at each token and rewriting the screen; rewriting a line is not robust
 * on a terminal (a long paragraph wraps over several rows that `\r` + clear-line does not reach, and
 * how wide an emoji is differs between terminals), and they also re-wrap text, decode HTML entities
 * and decide colour from the process's environment rather than from our `color` option. Line by
 * line, only the open code block needs remembering, which a few lines here do.
 *
 * Input is text already made terminal-safe (see lib/terminal-safe-text.ts): the only escape
 * sequences in the output are the styling added here, and none at all when colour is off.
 */
import { closingRule, type Fence, fenceAfter, renderLine } from "./markdown-lines.js";
import { DIM, paint, type Style } from "./terminal-style.js";

export interface MarkdownOptions {
  /** ANSI styling; without it the layout (bullets, rules, indentation) stays. */
  color: boolean;
  /** Everything dimmed (a notice rather than an answer). */
  dim?: boolean;
  /** The text follows a speaker label on the same line (`🎓 Tutor: `). */
  afterLabel?: boolean;
}

export interface MarkdownStream {
  /** The terminal text for `text`, the next piece of the Markdown; may be empty while a span is open. */
  push(text: string): string;
  /**
   * The rest, at the end of the text: the last line's held-back part, then `trailer` on that line
   * (an "(interrupted)" note), then the end of a code block the text left open.
   */
  end(trailer?: string): string;
}

export function createMarkdownStream(options: MarkdownOptions): MarkdownStream {
  const outer: readonly Style[] = options.dim ? [DIM] : [];
  const paintLine = (text: string) => (options.dim ? paint(text, DIM, [], options.color) : text);
  let fence: Fence | undefined;
  let line = "";
  let firstLine = true;
  /** The rendering of the current line already written. */
  let written = "";

  function render(final: boolean): string {
    // A CR is only ever the first half of CR LF here (a lone one was made visible as `^M`).
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    return renderLine(text, final, fence, {
      color: options.color,
      outer,
      afterLabel: options.afterLabel === true && firstLine,
    });
  }

  /** What to write so the screen shows `rendered` for the current line. */
  function show(rendered: string, final: boolean): string {
    if (rendered.startsWith(written)) {
      const piece = rendered.slice(written.length);
      written = rendered;
      return paintLine(piece);
    }
    // Never expected (a line's rendering only grows); should it happen, the line is shown again
    // whole on a line of its own at its end rather than lost.
    if (!final) return "";
    written = rendered;
    return `\n${paintLine(rendered)}`;
  }

  function endLine(): string {
    const piece = show(render(true), true);
    fence = fenceAfter(line.endsWith("\r") ? line.slice(0, -1) : line, fence);
    line = "";
    written = "";
    firstLine = false;
    return piece;
  }

  return {
    push(text) {
      let out = "";
      const parts = text.split("\n");
      parts.forEach((part, index) => {
        line += part;
        if (index < parts.length - 1) out += `${endLine()}\n`;
      });
      return out + show(render(false), false);
    },
    end(trailer = "") {
      const midLine = line !== "";
      let out = midLine ? endLine() : "";
      out += trailer;
      if (fence !== undefined) {
        out += `${midLine || trailer !== "" ? "\n" : ""}${paintLine(closingRule(fence, { color: options.color, outer }))}`;
      }
      fence = undefined;
      firstLine = true;
      return out;
    },
  };
}

/** A whole Markdown text for the terminal (a command's reply, a greeting). */
export function renderMarkdown(text: string, options: MarkdownOptions): string {
  const stream = createMarkdownStream(options);
  return stream.push(text) + stream.end();
}
