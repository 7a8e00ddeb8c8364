/**
 * The bot's settings from the configuration: one mapping, for the running troupe (main.ts) and for
 * the bench that assembles the same core (bench/answer-cost.ts).
 */
import type { Config } from "../config.js";
import type { BotSettings } from "../core/bot.js";

export function botSettings(
  config: Pick<Config, "DEFAULT_PERSONA" | "CONTEXT_TOKENS" | "REPLY_TOKENS" | "MAX_CONCURRENT_ANSWERS">,
): BotSettings {
  return {
    defaultPersona: config.DEFAULT_PERSONA,
    contextTokens: config.CONTEXT_TOKENS,
    replyTokens: config.REPLY_TOKENS,
    maxConcurrentAnswers: config.MAX_CONCURRENT_ANSWERS,
  };
}
