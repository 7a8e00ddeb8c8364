/**
 * Composition root: config → personas → store → model → bot → connectors; stops all on
 * SIGINT/SIGTERM. No logic here: each step lives in its own module.
 */
import { userInfo } from "node:os";
import { commands } from "../commands/index.js";
import { createLogger } from "./app/create-logger.js";
import { createPlatformConnectors } from "./app/platform-connectors.js";
import { loadConfigOrExit } from "./config.js";
import type { Connector } from "./connectors/connector.js";
import { createConsoleConnector } from "./connectors/console/console-connector.js";
import { createBot } from "./core/bot.js";
import { createChatModel } from "./model/create-chat-model.js";
import { describeError } from "./model/server-error-text.js";
import { createYesNoQuestion } from "./model/startup/ask-yes-no.js";
import { chooseModelProvider } from "./model/startup/choose-provider.js";
import { checkModel } from "./model/startup/model-notice.js";
import { describePersonaChange } from "./personas/persona-change-text.js";
import { loadPersonaDirectory } from "./personas/persona-directory.js";
import { createStore } from "./store/create-store.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A bad configuration is the one thing that stops the process: say what and how to fix it. */
function fail(message: string): never {
  process.stderr.write(`troupe: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const config = loadConfigOrExit("troupe");
  const interactive = process.stdin.isTTY === true;
  // The terminal chat shares the screen with the log: keep it to warnings unless asked otherwise.
  const logger = createLogger(config.LOG_LEVEL ?? (interactive ? "warn" : "info"));
  // The last line of defence: a bug in a handler is logged, never fatal to everyone else's chats.
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));
  process.on("uncaughtException", (error) => logger.error({ err: error }, "uncaught exception"));

  const personas = await loadPersonaDirectory(config.PERSONAS_DIR, {
    logger,
    // Persona limits (personas-hardening): file size, and the fixed prompt against the context window.
    maxFileKb: config.PERSONA_MAX_KB,
    contextTokens: config.CONTEXT_TOKENS,
    replyTokens: config.REPLY_TOKENS,
  }).catch((error: unknown) =>
    fail(
      `cannot load the personas in PERSONAS_DIR=${config.PERSONAS_DIR}:\n${String((error as Error).message)}`,
    ),
  );
  if (!personas.get(config.DEFAULT_PERSONA)) {
    const names = personas
      .list()
      .map((persona) => persona.name)
      .join(", ");
    fail(
      `DEFAULT_PERSONA=${config.DEFAULT_PERSONA} is not a persona in ${config.PERSONAS_DIR}. Available: ${names}.`,
    );
  }
  const limits = { historyTtlMs: config.HISTORY_TTL_DAYS * DAY_MS, maxTurns: config.HISTORY_MAX_TURNS };
  const store = await createStore(config.STORE_URL, limits, { logger }).catch((error: unknown) =>
    fail(String((error as Error).message)),
  );

  const choice = await chooseModelProvider({
    requested: config.MODEL_PROVIDER,
    ollamaHost: config.OLLAMA_HOST,
    openaiBaseUrl: config.OPENAI_BASE_URL,
    embeddedModel: config.EMBEDDED_MODEL,
    modelsDir: config.MODELS_DIR,
    interactive,
    ask: createYesNoQuestion(process.stdin, process.stderr),
    progressOutput: process.stderr,
    logger,
  });
  if (choice.provider === "none") fail(choice.message);
  const model = createChatModel({
    provider: choice.provider,
    model: config.MODEL,
    contextTokens: config.CONTEXT_TOKENS,
    ollamaHost: config.OLLAMA_HOST,
    openaiBaseUrl: config.OPENAI_BASE_URL,
    openaiApiKey: config.OPENAI_API_KEY,
    idleTimeoutMs: config.MODEL_IDLE_TIMEOUT_SECONDS * 1000,
    embeddedModelPath: choice.provider === "embedded" ? choice.embeddedModelPath : undefined,
    embeddedThreads: config.EMBEDDED_THREADS,
    logger,
    retry: {
      onRetry: ({ attempt, delayMs, error }) =>
        logger.warn(
          { code: error.code, attempt, delayMs, reason: describeError(error) },
          "model call failed: retrying",
        ),
    },
  });
  const modelNotice = await checkModel(model, logger);

  const bot = createBot({
    model,
    store,
    personas,
    commands,
    logger,
    settings: {
      defaultPersona: config.DEFAULT_PERSONA,
      contextTokens: config.CONTEXT_TOKENS,
      replyTokens: config.REPLY_TOKENS,
    },
  });

  const connectors: Connector[] = [];
  let exitCode = 0;
  let stopping = false;
  async function shutdown(reason: string) {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, "stopping");
    // The bot first: answers in flight get their last edit while the connectors can still send it.
    await bot.stop();
    await Promise.allSettled(connectors.map((connector) => connector.stop()));
    personas.close();
    await store.close().catch((error: unknown) => logger.warn({ err: error }, "store did not close cleanly"));
    process.exit(exitCode);
  }
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  // With a platform token, troupe is a service: it never reads the terminal (under a service
  // manager stdin is /dev/null, and its end must not stop the bot).
  const platforms = await createPlatformConnectors(config, bot, logger);
  for (const platform of platforms) {
    await platform.connector.start().catch(async (error: unknown) => {
      await Promise.allSettled(connectors.map((connector) => connector.stop()));
      fail(
        `${platform.variable}: ${platform.connector.name} did not start: ${(error as Error).message}\nFix: ${platform.fix}.`,
      );
    });
    connectors.push(platform.connector);
  }
  if (platforms.length === 0) {
    const notices = [`Model: ${model.description} (${choice.reason})`];
    if (modelNotice !== undefined) notices.push(modelNotice);
    const consoleChat = createConsoleConnector({
      bot,
      logger,
      input: process.stdin,
      output: process.stdout,
      errorOutput: process.stderr,
      interactive,
      color: process.stdout.isTTY === true && config.NO_COLOR === undefined,
      identity: { userName: safeUserName() },
      notices,
      onEnd({ failures, interrupted }) {
        // Piped: a non-zero exit tells a script that some answer failed.
        if (!interactive && failures > 0) exitCode = 1;
        if (interactive) process.stdout.write(interrupted ? "\nBye!\n" : "Bye!\n");
        void shutdown(interrupted ? "ctrl-c" : "end of input");
      },
    });
    connectors.push(consoleChat);
    await consoleChat.start();
    // Someone writing a persona sees it arrive (or what is wrong with it) without reading logs.
    personas.onChange((changes) => {
      for (const change of changes) consoleChat.notify(describePersonaChange(change));
    });
  }
  const names = connectors.map((connector) => connector.name);
  logger.info(
    { startupMs: Math.round(process.uptime() * 1000), connectors: names, model: model.description },
    "ready",
  );
}

function safeUserName(): string {
  try {
    return userInfo().username.replace(/[^\w.-]/g, "") || "you";
  } catch {
    return "you";
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`troupe: unexpected start-up failure: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
