/**
 * `npm start`, the composition root: config → logger → service (endpoints, metrics, traces) →
 * personas → store → model → knowledge → bot → shutdown → platforms, or the terminal chat when no platform
 * token is set. No logic here: each step lives in its own module in src/app, and a step that finds
 * a bad configuration throws a FatalError that runProgram prints before exiting 1.
 */
// First, before the modules whose start-up it is about: holds V8's young generation while starting.
import "./app/start-up-young-generation.js";
import { logUnappliedAdapters } from "./app/adapter-notice.js";
import { noteUnshownAvatars } from "./app/avatar-notice.js";
import { buildModel } from "./app/build-model.js";
import { readCliFlags } from "./app/cli-flags.js";
import { createConfiguredBot } from "./app/configured-bot.js";
import { createLogger } from "./app/create-logger.js";
import { runProgram } from "./app/fatal.js";
import { limitHeapGrowth } from "./app/heap-growth.js";
import { loadPersonas } from "./app/load-personas.js";
import { logStrayErrors } from "./app/log-stray-errors.js";
import { openKnowledge } from "./app/open-knowledge.js";
import { openStore } from "./app/open-store.js";
import { createPlatformConnectors, preloadPlatformModules } from "./app/platform-connectors.js";
import { startService } from "./app/service/start-service.js";
import { createShutdown } from "./app/shutdown.js";
import { startPlatforms } from "./app/start-platforms.js";
import { releaseYoungGeneration } from "./app/start-up-young-generation.js";
import { loadConfigOrExit } from "./config.js";

runProgram("troupe", async () => {
  limitHeapGrowth();
  // Before the configuration: --help and --version work even with a broken .env.
  const flags = readCliFlags(process.argv.slice(2));
  if (flags.kind === "print") return void process.stdout.write(flags.text);
  const config = loadConfigOrExit("troupe");
  preloadPlatformModules(config);
  const interactive = process.stdin.isTTY === true;
  const logger = createLogger(config, {
    stdinIsTTY: interactive,
    stderrIsTTY: process.stderr.isTTY === true,
  });
  logStrayErrors(logger);
  const service = await startService(config, logger);

  const personas = await loadPersonas(config, logger);
  noteUnshownAvatars(config, personas.list(), logger);
  const store = await openStore(config, logger);
  const built = await buildModel(config, {
    logger,
    interactive,
    input: process.stdin,
    errorOutput: process.stderr,
  });
  const model = service.observeModel(built.model);
  service.modelChecked(built.ready);
  logUnappliedAdapters(personas.list(), built.provider, logger);
  const knowledge = await openKnowledge(config, {
    provider: built.provider,
    logger,
    watch: true,
    personas: personas.list(),
    reloads: personas,
  });
  const bot = service.wrapBot(createConfiguredBot(config, { model, store, personas, logger, knowledge }));
  const shutdown = createShutdown({
    parts: {
      bot,
      personas,
      store,
      last: [{ name: "knowledge", close: () => knowledge.close() }, ...service.closers],
    },
    logger,
    graceMs: config.SHUTDOWN_GRACE_SECONDS * 1000,
    signals: process,
    exit: (code) => process.exit(code),
  });

  // With a platform token, troupe is a service: it never reads the terminal (under a service
  // manager stdin is /dev/null, and its end must not stop the bot).
  const platforms = await createPlatformConnectors(
    config,
    bot,
    logger,
    shutdown.requestShutdown,
    bot.accepting,
  );
  const connectors =
    platforms.length > 0
      ? await startPlatforms(platforms, {
          logger,
          track: (connector) => {
            shutdown.track(connector);
            service.watch(connector);
          },
          retry: { totalMs: config.PLATFORM_RETRY_SECONDS * 1000 },
        })
      : [
          // The terminal chat (its Markdown renderer, its prompt) is loaded only when it runs.
          await (await import("./app/start-terminal-chat.js")).startTerminalChat({
            bot,
            personas,
            logger,
            config,
            interactive,
            notices: built.notices,
            input: process.stdin,
            output: process.stdout,
            errorOutput: process.stderr,
            shutdown,
            store,
            continueLast: flags.continueLast,
          }),
        ];
  releaseYoungGeneration();
  logger.info(
    {
      startupMs: Math.round(process.uptime() * 1000),
      connectors: connectors.map((connector) => connector.name),
      model: model.description,
    },
    "ready",
  );
});
