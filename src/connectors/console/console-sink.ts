/**
 * The terminal's reply sink. Interactive: the persona's name heads each answer and tokens print as
 * they stream. Piped (stdin not a terminal): standard output carries only answers, one per input
 * line, so scripts can read it; failures go to standard error and are counted for the exit code.
 */
import type { PostOptions, ReplySink, StreamReplyOptions, StreamResult } from "../../core/reply-sink.js";

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

export function speakerHeading(persona: StreamReplyOptions["persona"]): string {
  return `${persona.emoji ? `${persona.emoji} ` : ""}${persona.displayName}`;
}

export function createConsoleSink(options: ConsoleSinkOptions): ConsoleSink {
  const { output, errorOutput, interactive, color } = options;
  let failures = 0;

  return {
    get failures() {
      return failures;
    },
    async post(text: string, postOptions: PostOptions = {}) {
      if (postOptions.error) failures++;
      if (!interactive && postOptions.error) {
        errorOutput.write(`${text}\n`);
        return;
      }
      output.write(interactive ? `${postOptions.ephemeral ? dim(text, color) : text}\n` : `${text}\n`);
    },
    async stream(deltas: AsyncIterable<string>, streamOptions: StreamReplyOptions): Promise<StreamResult> {
      let text = "";
      let started = false;
      const start = () => {
        if (started) return;
        started = true;
        if (interactive) output.write(`${bold(speakerHeading(streamOptions.persona), color)}: `);
      };
      try {
        for await (const delta of deltas) {
          start();
          output.write(delta);
          text += delta;
        }
        if (started) output.write("\n");
        return { text };
      } catch (error) {
        failures++;
        if (started) output.write(` ${streamOptions.interruptedNote}\n`);
        return { text, error };
      }
    },
  };
}
