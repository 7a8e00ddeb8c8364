/**
 * The only switch on the model provider. Each provider is built here and wrapped in the retry
 * policy; core receives a `ChatModel` and never learns which one it got.
 */
import type { Logger } from "../lib/logger.js";
import { maskUrl } from "../lib/mask-url.js";
import type { ChatModel } from "./chat-model.js";
import { createEmbeddedModel } from "./embedded/embedded-provider.js";
import { lazyModel } from "./lazy-model.js";
import { createOllamaModel } from "./ollama/ollama-provider.js";
import { type RetryPolicy, withRetry } from "./retry.js";
import { parseServerUrl } from "./server-url.js";

export type ModelProvider = "ollama" | "openai" | "embedded";

export interface ModelSettings {
  provider: ModelProvider;
  model: string;
  /**
   * Context window in tokens; sent to Ollama as `num_ctx`, the embedded engine's context size per
   * conversation (OpenAI-compatible servers set it themselves).
   */
  contextTokens: number;
  ollamaHost: string;
  /** Defaults to the OpenAI API itself. May carry `user:password@` (basic auth) and a query. */
  openaiBaseUrl?: string;
  /** Sent as the bearer token; wins over credentials in `openaiBaseUrl` when both are given. */
  openaiApiKey?: string;
  /** The embedded provider's GGUF file (a download already resolved to its path); required with it. */
  embeddedModelPath?: string;
  /** troupe downloaded that file into MODELS_DIR (a fix may say to delete it); unset: the user's own. */
  embeddedModelDownloaded?: boolean;
  /** The embedded provider's CPU threads; unset: the machine's math cores. */
  embeddedThreads?: number;
  /** Conversations the embedded provider answers at once; unset: 2. */
  embeddedParallel?: number;
  /** For the embedded provider's load and native logs, and warnings about the settings. */
  logger?: Logger;
  idleTimeoutMs: number;
  retry?: Partial<RetryPolicy>;
}

const defaultRetryPolicy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 8_000 };
const defaultOpenAIBaseUrl = "https://api.openai.com/v1";

export function createChatModel(settings: ModelSettings): ChatModel {
  const retry = settings.retry ?? {};
  return withRetry(createProviderModel(settings), {
    ...retry,
    // Field by field, so a `{ maxAttempts: undefined }` from config keeps the default.
    maxAttempts: retry.maxAttempts ?? defaultRetryPolicy.maxAttempts,
    baseDelayMs: retry.baseDelayMs ?? defaultRetryPolicy.baseDelayMs,
    maxDelayMs: retry.maxDelayMs ?? defaultRetryPolicy.maxDelayMs,
  });
}

function createProviderModel(settings: ModelSettings): ChatModel {
  switch (settings.provider) {
    case "ollama":
      return createOllamaModel({
        host: settings.ollamaHost,
        model: settings.model,
        contextTokens: settings.contextTokens,
        idleTimeoutMs: settings.idleTimeoutMs,
      });
    case "openai":
      if (settings.openaiApiKey && settings.openaiBaseUrl && hasCredentials(settings.openaiBaseUrl)) {
        settings.logger?.warn(
          { openaiBaseUrl: maskUrl(settings.openaiBaseUrl) },
          "OPENAI_BASE_URL has a user name and password and OPENAI_API_KEY is set: the key is sent, the URL's credentials are not",
        );
      }
      // The openai SDK is loaded only by a troupe that uses it (lazy-model.ts says why).
      return lazyModel(`openai:${settings.model}`, async () => {
        const { createOpenAIModel } = await import("./openai/openai-provider.js");
        return createOpenAIModel({
          baseURL: settings.openaiBaseUrl ?? defaultOpenAIBaseUrl,
          apiKey: settings.openaiApiKey,
          model: settings.model,
          idleTimeoutMs: settings.idleTimeoutMs,
        });
      });
    case "embedded":
      // Building it is cheap: node-llama-cpp is imported on the model's first use, never before.
      if (settings.embeddedModelPath === undefined) {
        throw new Error("embeddedModelPath is required with the embedded provider");
      }
      return createEmbeddedModel({
        modelPath: settings.embeddedModelPath,
        modelOrigin: settings.embeddedModelDownloaded === true ? "downloaded" : "own",
        contextTokens: settings.contextTokens,
        threads: settings.embeddedThreads,
        parallel: settings.embeddedParallel,
        logger: settings.logger,
        idleTimeoutMs: settings.idleTimeoutMs,
      });
    default:
      return unknownProvider(settings.provider);
  }
}

/** A compile error here means a provider was added to `ModelProvider` but not to the switch. */
function unknownProvider(provider: never): never {
  throw new Error(`unknown model provider: ${String(provider)}`);
}

function hasCredentials(url: string): boolean {
  return parseServerUrl(url).basicAuthorization !== undefined;
}
