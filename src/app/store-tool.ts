/**
 * What the one-shot store tools (`npm run data`, `npm run dataset`) share: the configured store
 * opened with a quiet logger (warnings and worse, unless LOG_LEVEL says otherwise), and one exit
 * path: a bad argument prints the reason and the usage, a bad configuration its message, anything
 * else its stack, each with exit code 2; the tool's own code otherwise.
 */
import { ConfigError, loadConfig } from "../config.js";
import type { ConversationStore } from "../store/conversation-store.js";
import { createLogger } from "./create-logger.js";
import { FatalError } from "./fatal.js";
import { openStore } from "./open-store.js";

export const EXIT_CONFIGURATION = 2;

export async function openToolStore(): Promise<ConversationStore> {
  const config = loadConfig();
  const logger = createLogger(
    { ...config, LOG_LEVEL: config.LOG_LEVEL ?? "warn" },
    { stdinIsTTY: false, stderrIsTTY: process.stderr.isTTY === true },
  );
  return openStore(config, logger);
}

export function runStoreTool(
  name: string,
  usage: string,
  isArgumentError: (error: unknown) => error is Error,
  main: () => Promise<number>,
): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (isArgumentError(error)) process.stderr.write(`${name}: ${error.message}\n\n${usage}`);
      else if (error instanceof ConfigError || error instanceof FatalError)
        process.stderr.write(`${name}: ${error.message}\n`);
      else
        process.stderr.write(
          `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
      process.exitCode = EXIT_CONFIGURATION;
    },
  );
}
