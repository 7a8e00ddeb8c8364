/**
 * node-llama-cpp, loaded on first use only: importing it costs about 0.35 s and 36 MB, and
 * `getLlama` another 0.5 s, which users of Ollama or an OpenAI-compatible server must never pay.
 *
 * One `Llama` (the native binding) serves the whole process: llama.cpp's log callback is global, so
 * native log lines are kept here, where a failed load can quote them. Its "Failed to load model" says
 * nothing; the reason ("tensor … data is not within the file bounds") is only in the native log.
 */
import type { Llama, LlamaLogLevel } from "node-llama-cpp";

export type NodeLlamaCpp = typeof import("node-llama-cpp");

interface NativeLine {
  index: number;
  level: LlamaLogLevel;
  message: string;
}

const keptLines = 50;
const lines: NativeLine[] = [];
let lineCount = 0;
const listeners = new Set<(level: LlamaLogLevel, message: string) => void>();

let modulePromise: Promise<NodeLlamaCpp> | undefined;
let llamaPromise: Promise<Llama> | undefined;

export function importNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  modulePromise ??= import("node-llama-cpp").catch((error: unknown) => {
    modulePromise = undefined;
    throw error;
  });
  return modulePromise;
}

/**
 * The process's one binding: GPU when a usable GPU build is installed, else CPU. `build: "never"`
 * because compiling llama.cpp or downloading its source at run time must never happen quietly, and
 * `maxThreads: 0` so each context's own `threads` is the count actually used (node-llama-cpp's
 * CPU default of at least 4 threads is about 60× slower on a 2-core machine).
 */
export function getSharedLlama(): Promise<Llama> {
  llamaPromise ??= importNodeLlamaCpp()
    .then((module) =>
      module.getLlama({
        gpu: "auto",
        build: "never",
        maxThreads: 0,
        logLevel: module.LlamaLogLevel.warn,
        logger: recordNativeLine,
      }),
    )
    .catch((error: unknown) => {
      llamaPromise = undefined;
      throw error;
    });
  return llamaPromise;
}

function recordNativeLine(level: LlamaLogLevel, message: string): void {
  const text = message.trim();
  if (text === "") return;
  lines.push({ index: lineCount++, level, message: text });
  if (lines.length > keptLines) lines.shift();
  for (const listener of listeners) listener(level, text);
}

/** A mark to pass to `nativeErrorsSince` after an operation. */
export function nativeLogMark(): number {
  return lineCount;
}

/**
 * The native error lines logged since `mark`, most telling first (llama.cpp's own prefixes cut).
 * Native log lines reach JavaScript through the event loop and may arrive after the failed call's
 * rejection, so this first lets pending callbacks run.
 */
export async function nativeErrorsSince(mark: number): Promise<string[]> {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
  return lines
    .filter((line) => line.index >= mark && (line.level === "error" || line.level === "fatal"))
    .map((line) =>
      line.message
        .replace(/^(llama_model_load|llama_model_load_from_file_impl|gguf_init_from_\w+):\s*/, "")
        .replace(/^error loading model:\s*/i, ""),
    )
    .filter((message) => !/^failed to load model$/i.test(message))
    .reverse();
}

/** Forwards native log lines (for a debug log); returns the unsubscribe function. */
export function onNativeLog(listener: (level: LlamaLogLevel, message: string) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
