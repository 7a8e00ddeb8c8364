/**
 * `npm run data -- forget --platform discord --user ID`: what `/forget-me` does, for an admin —
 * everything troupe stores about one person, on the configured STORE_URL, deleted, and the counts
 * printed. Exit 0 done, 2 bad arguments or configuration. The wiring only: the work is in
 * src/feedback/forget.ts.
 */
import { createLogger } from "./app/create-logger.js";
import { FatalError } from "./app/fatal.js";
import { openStore } from "./app/open-store.js";
import { ConfigError, loadConfig } from "./config.js";
import { CliArgsError, DATA_USAGE, readDataArgs } from "./feedback/cli-args.js";
import { forgetPerson } from "./feedback/forget.js";
import { createPseudonyms } from "./feedback/pseudonym.js";

const EXIT_CONFIGURATION = 2;

async function main(): Promise<number> {
  const args = readDataArgs(process.argv.slice(2));
  if (args.kind === "help") {
    process.stdout.write(DATA_USAGE);
    return 0;
  }
  const config = loadConfig();
  const logger = createLogger(
    { ...config, LOG_LEVEL: config.LOG_LEVEL ?? "warn" },
    { stdinIsTTY: false, stderrIsTTY: process.stderr.isTTY === true },
  );
  const store = await openStore(config, logger);
  try {
    const counts = await forgetPerson(store, createPseudonyms(store), args.platform, args.user);
    process.stdout.write(
      [
        `Forgot ${args.platform} user ${args.user}:`,
        `  turns: ${counts.turns} (their messages and the answers to them, in ${counts.conversations} conversations)`,
        `  exchange records: ${counts.exchanges}`,
        `  ratings: ${counts.ratings}`,
        `  bindings: ${counts.bindings}`,
        "",
      ].join("\n"),
    );
    return 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliArgsError) process.stderr.write(`data: ${error.message}\n\n${DATA_USAGE}`);
    else if (error instanceof ConfigError || error instanceof FatalError)
      process.stderr.write(`data: ${error.message}\n`);
    else
      process.stderr.write(
        `data: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    process.exitCode = EXIT_CONFIGURATION;
  },
);
