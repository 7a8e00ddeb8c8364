/**
 * The terminal's reply sink. Interactive: the persona's name heads each answer and tokens print as
 * they stream, Markdown rendered for the terminal (markdown-stream.ts), command replies too. Piped
 * (stdin not a terminal): standard output carries only answers, exactly the model's text, one per
 * input line, so scripts can read it; failures and notes go to standard error, failures counted for
 * the exit code.
 *
 * What the model says and what persona files hold is shown, never obeyed: control characters in it
 * (escape sequences, BEL, backspace, a lone CR) print in caret notation, piped too, since a file
 * or pipe often ends on a terminal later (`cat answer.md`). Markdown is rendered after that, so only
 * the sink's own styling is raw.
 */
import type { PostOptions, ReplySink, StreamReplyOptions, StreamResult } from "../../core/reply-sink.js";
import { createTerminalSafeStream, terminalSafe } from "../../lib/terminal-safe-text.js";
import { createMarkdownStream, renderMarkdown } from "./markdown-stream.js";

export interface ConsoleSinkOptions {
  output: NodeJS.WritableStream;
  errorOutput: NodeJS.WritableStream;
  interactive: boolean;
  /** ANSI styling; only when writing to a colour terminal. */
  color: boolean;
}

export interface ConsoleSink extends ReplySink {
  /** Answers that failed or broke off, and error lines posted. */
  readonly failures: number;
}

const bold = (text: string, color: boolean) => (color ? `\u001b[1m${text}\u001b[22m` : text);

/** "🎓 Tutor": the persona's emoji and name, terminal-safe (a persona file can come from anyone). */
export function speakerHeading(persona: StreamReplyOptions["persona"]): string {
  return terminalSafe(`${persona.emoji ? `${persona.emoji} ` : ""}${persona.displayName}`);
}

export function createConsoleSink(options: ConsoleSinkOptions): ConsoleSink {
  const { output, errorOutput, interactive, color } = options;
  let failures = 0;

  return {
    get failures() {
      return failures;
    },
    async post(raw: string, postOptions: PostOptions = {}) {
      if (postOptions.error) failures++;
      const text = terminalSafe(raw);
      if (!interactive && (postOptions.error || postOptions.note)) {
        errorOutput.write(`${text}\n`);
        return;
      }
      const shown = interactive ? renderMarkdown(text, { color, dim: postOptions.ephemeral === true }) : text;
      output.write(`${shown}\n`);
    },
    async stream(deltas: AsyncIterable<string>, streamOptions: StreamReplyOptions): Promise<StreamResult> {
      let text = "";
      let started = false;
      const safe = createTerminalSafeStream();
      // Rendered after neutralising: the renderer's styling is the only escape sequence written.
      const markdown = interactive ? createMarkdownStream({ color, afterLabel: true }) : undefined;
      const write = (piece: string) => {
        if (piece !== "") output.write(piece);
      };
      /** The rest of the answer, `trailer` on its last line. */
      const finish = (trailer = "") => {
        const rest = safe.flush();
        return markdown ? markdown.push(rest) + markdown.end(trailer) : rest + trailer;
      };
      const start = () => {
        if (started) return;
        started = true;
        if (interactive) output.write(`${bold(speakerHeading(streamOptions.persona), color)}: `);
      };
      try {
        for await (const delta of deltas) {
          start();
          const piece = safe.push(delta);
          write(markdown ? markdown.push(piece) : piece);
          // The answer as the model gave it: history is not a terminal.
          text += delta;
        }
        if (started) output.write(`${finish()}\n`);
        return { text };
      } catch (error) {
        failures++;
        if (started) output.write(`${finish(` ${terminalSafe(streamOptions.interruptedNote)}`)}\n`);
        return { text, error };
      }
    },
  };
}
