/**
 * The bot as the configuration assembles it: the chat commands, feedback records kept as long as
 * histories, the settings from the configuration. One assembly for the running troupe (main.ts) and
 * for the bench that measures the same core (bench/answer-cost.ts).
 */
import { commands } from "../../commands/index.js";
import type { Config } from "../config.js";
import { type Bot, type BotDependencies, createBot } from "../core/bot.js";
import { createLearning } from "../feedback/learning.js";
import { type StoreSettings, storeLimits } from "./open-store.js";

export type ConfiguredBotSettings = StoreSettings &
  Pick<Config, "DEFAULT_PERSONA" | "CONTEXT_TOKENS" | "REPLY_TOKENS" | "MAX_CONCURRENT_ANSWERS">;

export function createConfiguredBot(
  config: ConfiguredBotSettings,
  parts: Pick<BotDependencies, "model" | "store" | "personas" | "logger" | "knowledge">,
): Bot {
  return createBot({
    ...parts,
    commands,
    learning: createLearning(parts.store, { ttlMs: storeLimits(config).historyTtlMs }),
    settings: {
      defaultPersona: config.DEFAULT_PERSONA,
      contextTokens: config.CONTEXT_TOKENS,
      replyTokens: config.REPLY_TOKENS,
      maxConcurrentAnswers: config.MAX_CONCURRENT_ANSWERS,
    },
  });
}
