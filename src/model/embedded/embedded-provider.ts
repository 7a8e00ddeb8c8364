/**
 * The embedded provider: the base model runs in this process with node-llama-cpp, no server needed.
 * node-llama-cpp itself is imported on first use (see embedded-llama.ts), so building this provider
 * costs nothing until `check()` or `stream()` runs. The model loads once and is shared by every
 * conversation; a load that failed is retried when the file changes.
 */
import { basename } from "node:path";
import type { Logger } from "../../lib/logger.js";
import { silentLogger } from "../../lib/logger.js";
import type { ChatModel, ChatPart, ChatRequest, ModelHealth } from "../chat-model.js";
import { ModelError } from "../chat-model.js";
import { createIdleTimer } from "../idle-timeout.js";
import type { EmbeddedEngine } from "./embedded-engine.js";
import { generationError, type ModelFileOrigin } from "./embedded-errors.js";
import { createEngineLoader } from "./embedded-loader.js";
import { createTextQueue } from "./text-queue.js";

export interface EmbeddedModelSettings {
  /** A local GGUF file (downloads are resolved to their path before this). */
  modelPath: string;
  /** `downloaded`: troupe fetched it into MODELS_DIR, so a fix may say to delete it. Default `own`. */
  modelOrigin?: ModelFileOrigin;
  /** The context size of each conversation's sequence, in tokens. */
  contextTokens: number;
  /** CPU threads; default: the machine's math cores as llama.cpp counts them, never more than its CPUs. */
  threads?: number;
  logger?: Logger;
  /** End a stream when nothing arrived for this long (waiting for a free sequence included). */
  idleTimeoutMs?: number;
  /** Conversations answered at once (one context sequence each); more wait in arrival order. Default 2. */
  parallel?: number;
}

export interface EmbeddedChatModel extends ChatModel {
  /** Frees the model and its context; a later call loads it again. */
  close(): Promise<void>;
}

/** setTimeout's ceiling (about 24.8 days): "no idle timeout". */
const noTimeoutMs = 2_147_483_647;

export function createEmbeddedModel(settings: EmbeddedModelSettings): EmbeddedChatModel {
  const logger = (settings.logger ?? silentLogger).child({ provider: "embedded" });
  const fileName = basename(settings.modelPath);
  const loader = createEngineLoader(settings, logger);
  let loggedIgnoredModel = false;

  async function* stream(
    request: ChatRequest,
    callerSignal: AbortSignal | undefined,
  ): AsyncGenerator<ChatPart> {
    if (callerSignal?.aborted) return;
    if (request.model !== undefined && !loggedIgnoredModel) {
      loggedIgnoredModel = true;
      logger.debug(
        { model: request.model },
        "a persona's model setting does not apply to the embedded engine",
      );
    }
    const idle = createIdleTimer(settings.idleTimeoutMs ?? noTimeoutMs, callerSignal);
    // The reader may stop early (break, error): this stops the generation too.
    const stop = new AbortController();
    const signal = AbortSignal.any([idle.signal, stop.signal]);
    const queue = createTextQueue();
    let generation: Promise<void> | undefined;
    let result: Awaited<ReturnType<EmbeddedEngine["generate"]>> | undefined;
    try {
      const engine = await loader.get();
      generation = engine
        .generate(request, signal, (text) => {
          idle.touch();
          queue.push(text);
        })
        .then(
          (value) => {
            result = value;
            queue.close();
          },
          (error: unknown) => queue.fail(error),
        );
      for await (const text of queue) yield { type: "text-delta", text };
    } catch (error) {
      if (idle.callerAborted) return;
      if (idle.timedOut) throw timeoutError(settings.idleTimeoutMs);
      throw generationError(error);
    } finally {
      idle.dispose();
      stop.abort();
      await generation;
    }
    if (idle.callerAborted || result === undefined) return;
    const { stopReason, promptTokens, completionTokens, droppedMessages } = result;
    if (stopReason === "abort") {
      if (idle.timedOut) throw timeoutError(settings.idleTimeoutMs);
      return;
    }
    if (droppedMessages > 0) logger.info({ droppedMessages }, "oldest messages dropped to fit the context");
    yield { type: "finish", reason: stopReason, usage: { promptTokens, completionTokens } };
  }

  return {
    description: `embedded:${fileName}`,
    stream: (request, options) => stream(request, options?.signal),
    async check(): Promise<ModelHealth> {
      const problem = await loader.problem();
      return problem === undefined ? { ok: true, model: fileName } : problem.toHealth();
    },
    close: () => loader.close(),
  };
}

function timeoutError(idleTimeoutMs: number | undefined): ModelError {
  return new ModelError(
    "timeout",
    `the embedded model produced nothing for ${idleTimeoutMs} ms (busy with other conversations, or a long prompt on a slow CPU)`,
  );
}
