/**
 * `npm run persona -- <verb> …`: persona tools that run once and exit, beside the bot. A plain map
 * of verbs to modules in src/app/persona-cli/, each `run(argv, io) → exit code`; a new verb is one
 * line here. A bad configuration is reported like `npm start` reports it, exit 1.
 */

import { run as compileVerb } from "./app/persona-cli/compile.js";
import { run as exportVerb } from "./app/persona-cli/export.js";
import { run as importVerb } from "./app/persona-cli/import.js";
import type { PersonaCliIo, PersonaVerb } from "./app/persona-cli/persona-cli-io.js";
import { type Config, ConfigError, loadConfig } from "./config.js";

const VERBS: Record<string, PersonaVerb> = {
  import: importVerb,
  export: exportVerb,
  compile: compileVerb,
};

const USAGE = `usage: npm run persona -- <${Object.keys(VERBS).join("|")}> … (--help after a verb for its options)`;

async function main(argv: readonly string[]): Promise<number> {
  const [verbName, ...rest] = argv;
  // hasOwn: "constructor" is no verb.
  const verb = verbName !== undefined && Object.hasOwn(VERBS, verbName) ? VERBS[verbName] : undefined;
  if (verb === undefined) {
    process.stderr.write(
      `${verbName === undefined ? "" : `persona: unknown verb "${verbName}"\n`}${USAGE}\n`,
    );
    return verbName === "--help" || verbName === "-h" ? 0 : 2;
  }
  let config: Config | undefined;
  const io: PersonaCliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    config: () => {
      config ??= loadConfig();
      return config;
    },
  };
  try {
    return await verb(rest, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `persona: ${error.message}\nSee .env.example and the README's configuration table.\n`,
      );
      return 1;
    }
    // Anything else (a folder it may not write in, a full disk): one line, not a stack trace.
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`persona ${verbName}: ${reason}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
