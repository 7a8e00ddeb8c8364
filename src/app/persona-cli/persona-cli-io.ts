/**
 * What a `npm run persona -- <verb>` verb gets: its arguments and where to write, plus the
 * configuration on demand (a verb's `--help` or a usage error needs none, and a bad .env should
 * not hide them). Each verb is `run(argv, io) → exit code`, so tests call it in-process.
 */
import type { Config } from "../../config.js";

export interface PersonaCliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Throws ConfigError when the configuration is bad. */
  config(): Config;
  /** The fetch to reach model servers with (tests); the global one otherwise. */
  fetch?: typeof fetch;
}

export type PersonaVerb = (argv: readonly string[], io: PersonaCliIo) => Promise<number>;
