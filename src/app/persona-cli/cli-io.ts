/**
 * What a `npm run persona -- <verb>` command is handed: where its lines go, and (for tests) the
 * environment and fetch to use instead of the process's. Each verb is `run(argv, io) → exit code`,
 * so tests call it in-process against the loopback fakes.
 */
export interface PersonaCliIo {
  out(line: string): void;
  err(line: string): void;
  /** Read instead of the process environment (and no .env file) when set. */
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

export type PersonaCliVerb = (argv: readonly string[], io: PersonaCliIo) => Promise<number>;
