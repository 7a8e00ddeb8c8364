/**
 * The base model at start-up: which provider serves it (asking a person at a terminal before a
 * download), the client built with the retry policy and its log line, and the check of whether the
 * model is there. No provider at all stops start-up with the ways to get one; a model that is not
 * ready yet does not (troupe keeps running, and says so).
 */
import type { Config } from "../config.js";
import type { Logger } from "../lib/logger.js";
import type { ChatModel } from "../model/chat-model.js";
import { createChatModel } from "../model/create-chat-model.js";
import { describeError } from "../model/server-error-text.js";
import { createYesNoQuestion } from "../model/startup/ask-yes-no.js";
import { chooseModelProvider } from "../model/startup/choose-provider.js";
import { checkModel } from "../model/startup/model-notice.js";
import { FatalError } from "./fatal.js";

export type ModelConfig = Pick<
  Config,
  | "MODEL_PROVIDER"
  | "MODEL"
  | "CONTEXT_TOKENS"
  | "OLLAMA_HOST"
  | "OPENAI_BASE_URL"
  | "OPENAI_API_KEY"
  | "MODEL_IDLE_TIMEOUT_SECONDS"
  | "EMBEDDED_MODEL"
  | "EMBEDDED_THREADS"
  | "MODELS_DIR"
>;

export interface BuildModelOptions {
  logger: Logger;
  /** A person is at the terminal and can answer the download question. */
  interactive: boolean;
  /** Where that answer is read (standard input). */
  input: NodeJS.ReadableStream;
  /** Where the question and the download progress go (standard error: standard output holds answers). */
  errorOutput: NodeJS.WritableStream;
}

export interface BuiltModel {
  model: ChatModel;
  /** What a person at the terminal should know about the model: which one and why, and any problem. */
  notices: string[];
  /** The start-up check found the model there (/readyz waits for it). */
  ready: boolean;
  /** Which provider serves it (embeddings come from the same one). */
  provider: "ollama" | "openai" | "embedded";
}

export async function buildModel(config: ModelConfig, options: BuildModelOptions): Promise<BuiltModel> {
  const { logger } = options;
  const choice = await chooseModelProvider({
    requested: config.MODEL_PROVIDER,
    ollamaHost: config.OLLAMA_HOST,
    openaiBaseUrl: config.OPENAI_BASE_URL,
    embeddedModel: config.EMBEDDED_MODEL,
    modelsDir: config.MODELS_DIR,
    interactive: options.interactive,
    ask: createYesNoQuestion(options.input, options.errorOutput),
    progressOutput: options.errorOutput,
    logger,
  });
  // chooseModelProvider has logged it; the message lists the three ways to get a model.
  if (choice.provider === "none") throw new FatalError(choice.message);
  const model = createChatModel({
    provider: choice.provider,
    model: config.MODEL,
    contextTokens: config.CONTEXT_TOKENS,
    ollamaHost: config.OLLAMA_HOST,
    openaiBaseUrl: config.OPENAI_BASE_URL,
    openaiApiKey: config.OPENAI_API_KEY,
    idleTimeoutMs: config.MODEL_IDLE_TIMEOUT_SECONDS * 1000,
    embeddedModelPath: choice.provider === "embedded" ? choice.embeddedModelPath : undefined,
    embeddedModelDownloaded: choice.provider === "embedded" && choice.embeddedModelDownloaded,
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
  // Marked as a notice: the terminal chat shows it before its greeting (see lib/logger.ts).
  const problem = await checkModel(model, logger.child({ notice: true }));
  const notices = [`Model: ${model.description} (${choice.reason})`];
  if (problem !== undefined) notices.push(problem);
  return { model, notices, ready: problem === undefined, provider: choice.provider };
}
