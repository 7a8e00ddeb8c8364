/**
 * A yes/no question on a terminal, for the one question start-up may ask (download the model?).
 * Anything but an explicit yes is a no: a download of hundreds of megabytes needs a clear "y".
 * The readline interface is closed after the answer, so the terminal chat can open its own.
 */
import { createInterface } from "node:readline/promises";

export function createYesNoQuestion(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): (question: string) => Promise<boolean> {
  return async (question) => {
    const prompt = createInterface({ input, output, terminal: false });
    // Input closed before an answer (Ctrl-D, end of a pipe): that is a no. `question` alone would
    // wait forever.
    const closed = new Promise<string>((resolve) => prompt.once("close", () => resolve("")));
    try {
      const answer = await Promise.race([prompt.question(`${question} [y/N] `), closed]);
      return /^\s*y(es)?\s*$/i.test(answer);
    } finally {
      prompt.close();
    }
  };
}
