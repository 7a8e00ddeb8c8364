/**
 * The terminal's reply sink. Interactive: the persona's name heads each answer and tokens print as
 * they stream. Piped (stdin not a terminal): standard output carries only answers, one per input
 * line, so scripts can read it; failures and notes go to standard error, failures counted for the
 * exit code.
 *
 * What the model says and what persona files hold is shown, never obeyed: control characters in it
 * (escape sequences, BEL, backspace, a lone CR) print in caret notation, piped too, since a file
 * or pipe often ends on a terminal later (`cat answer.md`). Only the sink's own styling is raw.
 */
import type { PostOptions, ReplySink, StreamReplyOptions, StreamResult } from "../../core/reply-sink.js";
import { createTerminalSafeStream, terminalSafe } from "../../lib/terminal-safe-text.js";

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

const dim = (text: string, color: boolean) => (color ? `\u001b[2m${text}\u001b[22m` : text);
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
      output.write(interactive ? `${postOptions.ephemeral ? dim(text, color) : text}\n` : `${text}\n`);
    },
    async stream(deltas: AsyncIterable<string>, streamOptions: StreamReplyOptions): Promise<StreamResult> {
      let text = "";
      let started = false;
      const safe = createTerminalSafeStream();
      const start = () => {
        if (started) return;
        started = true;
        if (interactive) output.write(`${bold(speakerHeading(streamOptions.persona), color)}: `);
      };
      try {
        for await (const delta of deltas) {
          start();
          output.write(safe.push(delta));
          // The answer as the model gave it: history is not a terminal.
          text += delta;
        }
        if (started) output.write(`${safe.flush()}\n`);
        return { text };
      } catch (error) {
        failures++;
        if (started) output.write(`${safe.flush()} ${terminalSafe(streamOptions.interruptedNote)}\n`);
        return { text, error };
      }
    },
  };
}
