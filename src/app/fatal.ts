/**
 * The one way a bad configuration stops a program: a start-up step throws a FatalError whose
 * message says what is wrong and how to fix it, and the entry point prints it after the program's
 * name and exits 1. Steps throw instead of exiting so each can be tested in-process. Anything else
 * that escapes is a bug: printed with its stack, also exit 1.
 */

/** A problem the person running the program can fix; the message says what and how. */
export class FatalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FatalError";
  }
}

/** The text printed on standard error for an error that ended `program`. */
export function fatalText(program: string, error: unknown): string {
  if (error instanceof FatalError) return `${program}: ${error.message}\n`;
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `${program}: unexpected failure: ${detail}\n`;
}

/** Runs an entry point's `main`; whatever it throws is printed and ends the process with 1. */
export function runProgram(program: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(fatalText(program, error));
    process.exit(1);
  });
}
