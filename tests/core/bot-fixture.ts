/**
 * The bot as the core tests use it: two personas, the real commands, a scripted model, a store that
 * can be switched off, a logger that keeps its lines.
 */
import { commands } from "../../commands/index.js";
import { type Bot, type BotSettings, createBot } from "../../src/core/bot.js";
import type { Command } from "../../src/core/command.js";
import type { IncomingMessage } from "../../src/core/message.js";
import type { Persona } from "../../src/core/persona.js";
import { staticCatalog, testPersona } from "../helpers/personas.js";
import { createRecordingLogger, type RecordingLogger } from "../helpers/recording-logger.js";
import { createScriptedModel, type ScriptedModel } from "../helpers/scripted-model.js";
import { createSwitchableStore, type SwitchableStore } from "../helpers/switchable-store.js";

const personas = staticCatalog([
  testPersona("tutor", { systemPrompt: "You are the tutor.", greeting: "Hi, learner!" }),
  testPersona("coder", { systemPrompt: "You are the coder.", temperature: 0.1, maxTokens: 300 }),
]);

/** Ada's message in her terminal chat, unless overridden. */
export function message(text: string, overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    platform: "console",
    conversationId: "console:ada",
    channelId: "ada",
    author: { id: "ada", name: "Ada", canManageChannel: true, canManageServer: true, runsTroupe: true },
    text,
    isDirect: true,
    attachments: [],
    ...overrides,
  };
}

export interface BotFixture {
  bot: Bot;
  model: ScriptedModel;
  store: SwitchableStore;
  logger: RecordingLogger;
}

/**
 * `commands` replaces the real list, e.g. to add a command a test defines; `personas` the two (the
 * first is the default: name it tutor); `settings` override the bot's.
 */
export function createBotFixture(
  options: {
    commands?: readonly Command[];
    personas?: readonly Persona[];
    settings?: Partial<BotSettings>;
  } = {},
): BotFixture {
  const model = createScriptedModel();
  const store = createSwitchableStore();
  const logger = createRecordingLogger();
  const bot = createBot({
    model,
    store,
    personas: options.personas === undefined ? personas : staticCatalog([...options.personas]),
    commands: options.commands ?? commands,
    logger,
    settings: { defaultPersona: "tutor", contextTokens: 4096, replyTokens: 512, ...options.settings },
  });
  return { bot, model, store, logger };
}
