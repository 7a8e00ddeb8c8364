/**
 * Loads the embedded engine once, for everyone: concurrent callers share one load. A failed load is
 * remembered while the file stays the same (same size and modification time), so a broken file
 * fails fast instead of being parsed again for every message; replacing the file retries at once.
 * Out-of-memory failures are retried after a while, since memory frees up.
 */
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import type { Logger } from "../../lib/logger.js";
import { type EmbeddedEngine, loadEmbeddedEngine } from "./embedded-engine.js";
import { EmbeddedProblem, generationError, type ModelFileOrigin } from "./embedded-errors.js";
import { onNativeLog } from "./embedded-llama.js";

export interface EngineLoaderSettings {
  modelPath: string;
  modelOrigin?: ModelFileOrigin;
  contextTokens: number;
  threads?: number;
  parallel?: number;
}

export interface EngineLoader {
  /** The loaded engine; throws an EmbeddedProblem (or ModelError) when it cannot load. */
  get(): Promise<EmbeddedEngine>;
  /** Loads if needed; the problem if it cannot. Never throws. */
  problem(): Promise<EmbeddedProblem | undefined>;
  close(): Promise<void>;
}

const retryUnavailableAfterMs = 30_000;

export function createEngineLoader(settings: EngineLoaderSettings, logger: Logger): EngineLoader {
  let loading: Promise<EmbeddedEngine> | undefined;
  let failure: { error: unknown; signature: string; at: number; code: string } | undefined;
  let stopForwarding: (() => void) | undefined;

  async function load(): Promise<EmbeddedEngine> {
    const signature = await fileSignature(settings.modelPath);
    if (failure && failure.signature === signature) {
      const fresh = failure.code !== "unavailable" || Date.now() - failure.at < retryUnavailableAfterMs;
      if (fresh) throw failure.error;
    }
    stopForwarding ??= onNativeLog((level, message) => logger.debug({ level, message }, "llama.cpp"));
    const started = performance.now();
    try {
      const engine = await loadEmbeddedEngine({
        modelPath: settings.modelPath,
        modelOrigin: settings.modelOrigin,
        contextTokens: settings.contextTokens,
        threads: settings.threads,
        sequences: settings.parallel ?? 2,
      });
      failure = undefined;
      const { info } = engine;
      logger.info(
        { model: settings.modelPath, ms: Math.round(performance.now() - started), ...info },
        "embedded model loaded",
      );
      if (info.threads > availableParallelism()) {
        // More threads than CPUs make ggml's threads wait on each other: measured 60× slower on 2 cores.
        logger.warn(
          { threads: info.threads, cpus: availableParallelism() },
          "EMBEDDED_THREADS is more than this machine's CPUs: answers will be many times slower",
        );
      }
      if (settings.contextTokens > info.trainContextSize) {
        logger.warn(
          { contextTokens: settings.contextTokens, trainContextSize: info.trainContextSize },
          "CONTEXT_TOKENS is larger than the context the model was trained on: answers degrade past it",
        );
      }
      return engine;
    } catch (error) {
      const code = error instanceof EmbeddedProblem ? error.code : generationError(error).code;
      failure = { error, signature, at: Date.now(), code };
      throw error;
    }
  }

  const get = (): Promise<EmbeddedEngine> => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };

  return {
    get,
    async problem() {
      try {
        await get();
        return undefined;
      } catch (error) {
        if (error instanceof EmbeddedProblem) return error;
        const modelError = generationError(error);
        return new EmbeddedProblem(modelError.code, modelError.message, "see the log for the cause", {
          cause: modelError.cause,
        });
      }
    },
    async close() {
      const current = loading;
      loading = undefined;
      stopForwarding?.();
      stopForwarding = undefined;
      const engine = await current?.catch(() => undefined);
      await engine?.dispose();
    },
  };
}

async function fileSignature(path: string): Promise<string> {
  try {
    const stats = await stat(path);
    return `${stats.size}:${stats.mtimeMs}`;
  } catch {
    return "missing";
  }
}
