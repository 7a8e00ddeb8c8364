/**
 * The command line of `npm start -- …` / `npx troupe …`: `--help`, `--version` and `--continue`.
 * Read before the configuration, so help and the version work even with a broken `.env`. Everything
 * else troupe takes from the environment (src/config.ts); a word it does not know stops it with one
 * line, rather than being silently ignored.
 */
import { parseArgs } from "node:util";
import packageJson from "../../package.json" with { type: "json" };
import { FatalError } from "./fatal.js";

export type CliRequest =
  /** Print this text on standard output and exit 0, starting nothing. */
  | { kind: "print"; text: string }
  /** Start troupe. `continueLast`: a piped run continues the last piped conversation. */
  | { kind: "run"; continueLast: boolean };

const options = {
  continue: { type: "boolean", short: "c" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

/** `args`: the words after the program (`process.argv.slice(2)`). */
export function readCliFlags(args: readonly string[]): CliRequest {
  // Not strict: parseArgs's own error text is long and about positionals; ours is one line.
  const { tokens } = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    const known = token.kind === "option" && Object.hasOwn(options, token.name) && token.value === undefined;
    if (!known) {
      throw new FatalError(
        `unknown argument ${JSON.stringify(args[token.index])}: \`troupe --help\` lists the options.`,
      );
    }
    seen.add(token.name);
  }
  if (seen.has("help")) return { kind: "print", text: usageText() };
  if (seen.has("version")) return { kind: "print", text: `troupe ${packageJson.version}\n` };
  return { kind: "run", continueLast: seen.has("continue") };
}

export function usageText(): string {
  return `troupe ${packageJson.version}: ${packageJson.description}

Usage:
  npm start                        chat in the terminal (no DISCORD_TOKEN or SLACK_BOT_TOKEN set)
  echo "a question" | npx troupe   answer each line of standard input; standard output holds
                                   only the answers (same as: npm start --silent)
  npm start -- [options]           options go after "--" with npm start

Options:
  -c, --continue   piped input: continue the last piped conversation instead of starting a new one
  -h, --help       show this help
  -v, --version    show the version

Main variables (in the environment or a .env file):
  MODEL_PROVIDER   auto (default), ollama, openai or embedded
  MODEL            the base model every persona runs on, e.g. llama3.2
  OLLAMA_HOST      where Ollama listens (default http://127.0.0.1:11434)
  OPENAI_BASE_URL  an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1
  STORE_URL        where conversations are kept (default sqlite://./data/troupe.sqlite)
  PERSONAS_DIR     the persona files (default ./personas)
  DEFAULT_PERSONA  the persona that answers unless another is chosen (default tutor)
  DISCORD_TOKEN    run on Discord
  SLACK_BOT_TOKEN  run on Slack (with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET)
  LOG_LEVEL        info (default; warn in the terminal chat), debug, … (logs go to standard error)

Every variable, personas and commands: README.md (and .env.example).
`;
}
