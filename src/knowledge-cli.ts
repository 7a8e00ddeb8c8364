/**
 * `npm run knowledge -- status|search`: the knowledge index from the command line. A composition
 * root like deploy-discord.ts: config in, one call, its text out; logs go where troupe's go.
 */
import { createLogger } from "./app/create-logger.js";
import { runProgram } from "./app/fatal.js";
import { runKnowledgeCommand } from "./app/knowledge-command.js";
import { loadConfigOrExit } from "./config.js";

runProgram("knowledge", async () => {
  const config = loadConfigOrExit("knowledge");
  const logger = createLogger(config, { stdinIsTTY: false, stderrIsTTY: process.stderr.isTTY === true });
  process.stdout.write(`${await runKnowledgeCommand(process.argv.slice(2), config, logger)}\n`);
});
