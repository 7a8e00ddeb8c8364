/**
 * One GGUF model loaded in-process: its chat template resolved once (it costs up to a second and
 * does not change), one context with a sequence per conversation that may run at once (node-llama-cpp
 * batches them into the same evaluation), and generation on a borrowed sequence.
 *
 * LoRA adapters (a persona's `adapter:`) apply per context in llama.cpp, over the same loaded
 * weights: the base model is loaded once whatever the number of adapters, and each adapter gets its
 * own lane (a context with its LoRA and its own sequences), made on the first request that names it.
 * Each lane costs a context's memory (the KV cache for its sequences), not a model's.
 * node-llama-cpp's types stay in this folder's embedded-* files; callers see plain data.
 */
import { availableParallelism, totalmem } from "node:os";
import type { ChatWrapper, LlamaChat, LlamaContext, LlamaModel } from "node-llama-cpp";
import type { ChatMessage, SamplingOptions } from "../chat-model.js";
import {
  adapterProblem,
  closedError,
  engineProblem,
  fileProblem,
  generationError,
  loadProblem,
  type ModelFileOrigin,
  memoryProblem,
  noVocabularyProblem,
  tooLargeProblem,
} from "./embedded-errors.js";
import { getSharedLlama, importNodeLlamaCpp, nativeErrorsSince, nativeLogMark } from "./embedded-llama.js";
import { createSlotPool, type SlotPool } from "./embedded-pool.js";
import { countPromptTokens, fitToContext, toChatHistory } from "./embedded-prompt.js";
import { checkGgufFile } from "./gguf-header.js";

export interface EngineOptions {
  modelPath: string;
  /** Whether troupe downloaded the file (a fix may say to delete it) or it is the user's. Default: the user's. */
  modelOrigin?: ModelFileOrigin;
  contextTokens: number;
  /** CPU threads; default: llama.cpp's count of math cores, never more than the machine's CPUs. */
  threads?: number;
  /** Conversations answered at once; more wait their turn. */
  sequences: number;
}

export interface EngineRequest extends SamplingOptions {
  messages: ChatMessage[];
  /** A LoRA adapter GGUF to answer with, over the base model. */
  adapter?: string;
}

export interface EngineResult {
  stopReason: "stop" | "length" | "abort" | "other";
  promptTokens: number;
  completionTokens: number;
  droppedMessages: number;
}

export interface EngineInfo {
  threads: number;
  contextSize: number;
  trainContextSize: number;
  chatTemplate: string;
  gpu: string;
}

export interface EmbeddedEngine {
  readonly info: EngineInfo;
  generate(
    request: EngineRequest,
    signal: AbortSignal,
    onText: (text: string) => void,
  ): Promise<EngineResult>;
  dispose(): Promise<void>;
}

/**
 * Sampling when a persona sets none: Ollama's defaults, so a persona behaves alike on both. (node-
 * llama-cpp's own default is greedy, which makes small models loop.)
 */
const defaultSampling = { temperature: 0.8, topK: 40, topP: 0.9 } as const;
/** Room kept free for the answer when the request does not say, capped at a quarter of the context. */
const defaultAnswerReserve = 256;

export async function loadEmbeddedEngine(options: EngineOptions): Promise<EmbeddedEngine> {
  const { modelPath, contextTokens, sequences } = options;
  const origin = options.modelOrigin ?? "own";
  const file = await checkGgufFile(modelPath);
  if (!file.ok) throw fileProblem(modelPath, file, origin);
  if (file.fileBytes > totalmem()) throw tooLargeProblem(modelPath, file.fileBytes, totalmem());

  let module: Awaited<ReturnType<typeof importNodeLlamaCpp>>;
  let llama: Awaited<ReturnType<typeof getSharedLlama>>;
  try {
    module = await importNodeLlamaCpp();
    llama = await getSharedLlama();
  } catch (error) {
    throw engineProblem(error, error instanceof Error && error.constructor.name === "NoBinaryFoundError");
  }
  await checkVocabulary(module, modelPath, origin);

  const mark = nativeLogMark();
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath });
  } catch (error) {
    throw loadProblem(modelPath, await nativeErrorsSince(mark), error, origin);
  }
  const threads = options.threads ?? Math.max(1, Math.min(llama.cpuMathCores, availableParallelism()));
  const wrapper: ChatWrapper = module.resolveChatWrapper(model);
  const openLane = async (adapter: string | undefined): Promise<Lane> => {
    const context = await model.createContext({
      contextSize: contextTokens,
      sequences,
      threads,
      ...(adapter === undefined ? {} : { lora: { adapters: [{ filePath: adapter }] } }),
    });
    const chats = Array.from(
      { length: sequences },
      () => new module.LlamaChat({ contextSequence: context.getSequence(), chatWrapper: wrapper }),
    );
    return { context, chats, pool: createSlotPool(chats) };
  };
  let base: Lane;
  try {
    base = await openLane(undefined);
  } catch (error) {
    await model.dispose();
    if (error instanceof module.InsufficientMemoryError)
      throw memoryProblem(modelPath, contextTokens, sequences, error);
    throw loadProblem(modelPath, await nativeErrorsSince(mark), error, origin);
  }
  // One lane per adapter path; a lane that failed to open is forgotten, so a fixed file is retried.
  const adapterLanes = new Map<string, Promise<Lane>>();
  const laneFor = (adapter: string | undefined): Promise<Lane> => {
    if (adapter === undefined) return Promise.resolve(base);
    let lane = adapterLanes.get(adapter);
    if (lane === undefined) {
      const adapterMark = nativeLogMark();
      lane = openLane(adapter).catch(async (error: unknown) => {
        adapterLanes.delete(adapter);
        if (error instanceof module.InsufficientMemoryError)
          throw memoryProblem(`${modelPath} with the adapter ${adapter}`, contextTokens, sequences, error);
        throw adapterProblem(adapter, await nativeErrorsSince(adapterMark), error);
      });
      adapterLanes.set(adapter, lane);
    }
    return lane;
  };
  const count = (history: Parameters<typeof countPromptTokens>[0]) =>
    countPromptTokens(history, wrapper, model.tokenizer);
  const contextSize = base.context.contextSize;

  return {
    info: {
      threads,
      contextSize,
      trainContextSize: model.trainContextSize,
      chatTemplate: wrapper.wrapperName,
      gpu: String(llama.gpu),
    },
    async generate(request, signal, onText) {
      const reserve = Math.min(request.maxTokens ?? defaultAnswerReserve, Math.floor(contextSize / 4));
      const fitted = fitToContext(toChatHistory(request.messages), count, contextSize, reserve);
      const lane = await laneFor(request.adapter);
      const chat = await lane.pool.acquire(signal);
      let completionTokens = 0;
      try {
        const result = await generateOn(chat, fitted.history, request, signal, onText, (tokens) => {
          completionTokens += tokens;
        });
        return {
          stopReason: result,
          promptTokens: fitted.promptTokens,
          completionTokens,
          droppedMessages: fitted.droppedMessages,
        };
      } catch (error) {
        if (error instanceof module.DisposedError) throw closedError(error);
        throw generationError(error);
      } finally {
        lane.pool.release(chat);
      }
    },
    async dispose() {
      const lanes = [
        base,
        ...(await Promise.all([...adapterLanes.values()].map((lane) => lane.catch(() => undefined)))),
      ];
      for (const lane of lanes) {
        if (lane === undefined) continue;
        for (const chat of lane.chats) chat.dispose({ disposeSequence: true });
        await lane.context.dispose();
      }
      await model.dispose();
    },
  };
}

/** A context and its sequences: the base model's, or one LoRA adapter's over the same weights. */
interface Lane {
  context: LlamaContext;
  chats: LlamaChat[];
  pool: SlotPool<LlamaChat>;
}

async function generateOn(
  chat: LlamaChat,
  history: ReturnType<typeof toChatHistory>,
  request: EngineRequest,
  signal: AbortSignal,
  onText: (text: string) => void,
  onTokens: (count: number) => void,
): Promise<EngineResult["stopReason"]> {
  const result = await chat.generateResponse(history, {
    signal,
    // An abort ends the answer where it is instead of throwing.
    stopOnAbortSignal: true,
    maxTokens: request.maxTokens ?? chat.context.contextSize,
    temperature: request.temperature ?? defaultSampling.temperature,
    topP: request.topP ?? defaultSampling.topP,
    topK: defaultSampling.topK,
    customStopTriggers: request.stop !== undefined && request.stop.length > 0 ? request.stop : undefined,
    onTextChunk: (text) => {
      if (text !== "") onText(text);
    },
    onToken: (tokens) => onTokens(tokens.length),
  });
  const reason = result.metadata.stopReason;
  if (reason === "maxTokens") return "length";
  if (reason === "abort") return "abort";
  if (reason === "functionCalls") return "other";
  return "stop";
}

/**
 * A GGUF without a usable tokenizer makes llama.cpp abort the process (a GGML_ASSERT, not an error),
 * so the metadata is read first, in JavaScript.
 */
async function checkVocabulary(
  module: Awaited<ReturnType<typeof importNodeLlamaCpp>>,
  modelPath: string,
  origin: ModelFileOrigin,
): Promise<void> {
  let tokenizerModel: string | undefined;
  let tokenCount = 0;
  try {
    const info = await module.readGgufFileInfo(modelPath, { readTensorInfo: false, logWarnings: false });
    tokenizerModel = info.metadata.tokenizer?.ggml?.model;
    tokenCount = info.metadata.tokenizer?.ggml?.tokens?.length ?? 0;
  } catch (error) {
    throw loadProblem(modelPath, ["its metadata is corrupt"], error, origin);
  }
  if (
    tokenizerModel === undefined ||
    tokenizerModel === "none" ||
    tokenizerModel === "no_vocab" ||
    tokenCount === 0
  ) {
    throw noVocabularyProblem(modelPath);
  }
}
