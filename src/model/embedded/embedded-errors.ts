/**
 * Why the embedded model cannot run, said so that an admin can act on it: each problem names the file
 * and the fix. `check()` shows message and hint apart; a stream throws them joined in a ModelError.
 * A message never repeats its cause's words: the log appends them, `describeError` too.
 */
import { ModelError, type ModelErrorCode, type ModelHealth } from "../chat-model.js";
import { describeError } from "../server-error-text.js";
import { formatBytes } from "../startup/progress-bar.js";
import type { GgufCheck } from "./gguf-header.js";

export class EmbeddedProblem extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly hint: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = "EmbeddedProblem";
  }

  /** The problem's own cause, not the problem, goes under the ModelError: its words are in the message. */
  toModelError(): ModelError {
    return new ModelError(this.code, `${this.message} (fix: ${this.hint})`, { cause: this.cause });
  }

  toHealth(): ModelHealth {
    return { ok: false, code: this.code, message: describeError(this), hint: this.hint };
  }
}

const pickAnother = "set EMBEDDED_MODEL to another GGUF file, hf: URI or URL";

/**
 * Where the file came from decides the fix. `downloaded`: troupe fetched it into MODELS_DIR (an
 * `hf:` URI or URL), so deleting it to download it again is safe. Otherwise it is the user's own
 * file, named in EMBEDDED_MODEL: a fix never suggests deleting it.
 */
export type ModelFileOrigin = "downloaded" | "own";

const downloadAgain = "delete it and start troupe again to download it afresh";

export function fileProblem(
  path: string,
  check: Exclude<GgufCheck, { ok: true }>,
  origin: ModelFileOrigin,
): EmbeddedProblem {
  if (check.reason === "missing") {
    return new EmbeddedProblem(
      "model-missing",
      `the embedded model file ${path} does not exist`,
      origin === "downloaded"
        ? "start troupe again to download it"
        : "check the path in EMBEDDED_MODEL, or unset it to download the default model (or set it to an hf: URI or URL)",
    );
  }
  return new EmbeddedProblem(
    "model-missing",
    `the embedded model file ${path} cannot be used: ${check.problem}`,
    origin === "downloaded"
      ? `${downloadAgain}, or ${pickAnother}`
      : "set EMBEDDED_MODEL to a GGUF model file (the format llama.cpp reads), an hf: URI or a URL",
  );
}

/** `reasons`: what llama.cpp logged while loading (the error itself often says only "failed"). */
export function loadProblem(
  path: string,
  reasons: string[],
  error: unknown,
  origin: ModelFileOrigin,
): EmbeddedProblem {
  const reason = reasons[0];
  const unknownArchitecture = /unknown model architecture/i.test(reason ?? describeError(error));
  const damaged =
    origin === "downloaded"
      ? `the file may be incomplete or corrupt: ${downloadAgain}, or ${pickAnother}`
      : `the file may be incomplete or corrupt (a copy that did not finish?): ${pickAnother}`;
  return new EmbeddedProblem(
    "model-missing",
    reason === undefined ? `llama.cpp cannot load ${path}` : `llama.cpp cannot load ${path}: ${reason}`,
    unknownArchitecture
      ? `this llama.cpp build does not know the model's architecture: ${pickAnother}`
      : damaged,
    { cause: error },
  );
}

/** A GGUF file without a tokenizer (an embedding or vision part, say): no download makes it chat. */
export function noVocabularyProblem(path: string): EmbeddedProblem {
  return new EmbeddedProblem(
    "model-missing",
    `llama.cpp cannot load ${path}: it has no tokenizer vocabulary, so it cannot chat`,
    `use a chat model: ${pickAnother}`,
  );
}

export function tooLargeProblem(path: string, fileBytes: number, memoryBytes: number): EmbeddedProblem {
  return new EmbeddedProblem(
    "unavailable",
    `the embedded model ${path} is ${formatBytes(fileBytes)}, more than this machine's ${formatBytes(memoryBytes)} of memory`,
    `use a smaller model or a smaller quantization (Q4_K_M, Q3_K_M): ${pickAnother}`,
  );
}

export function memoryProblem(
  path: string,
  contextTokens: number,
  sequences: number,
  error: unknown,
): EmbeddedProblem {
  return new EmbeddedProblem(
    "unavailable",
    `not enough memory for ${path} with a context of ${contextTokens} tokens × ${sequences} conversations at once`,
    "lower CONTEXT_TOKENS, or use a smaller model (EMBEDDED_MODEL)",
    { cause: error },
  );
}

export function engineProblem(error: unknown, noBinary: boolean): EmbeddedProblem {
  return new EmbeddedProblem(
    "unavailable",
    "the embedded engine (node-llama-cpp) cannot start",
    noBinary
      ? "reinstall with its prebuilt binaries: `npm ci` (do not use --omit=optional)"
      : "run `npm ci`, or use Ollama or an OpenAI-compatible server instead (MODEL_PROVIDER)",
    { cause: error },
  );
}

/** A stream that was running when `close()` freed the model. */
export function closedError(error: unknown): ModelError {
  return new ModelError("unavailable", "the embedded model was closed while answering", { cause: error });
}

/** A failure while answering, once the model is loaded. */
export function generationError(error: unknown): ModelError {
  if (error instanceof ModelError) return error;
  if (error instanceof EmbeddedProblem) return error.toModelError();
  const text = describeError(error);
  if (/too long prompt|context size|context shift/i.test(text)) {
    return new ModelError("context-overflow", "the prompt does not fit the embedded model's context", {
      cause: error,
    });
  }
  return new ModelError("bad-response", "the embedded model failed", { cause: error });
}

/**
 * A persona's LoRA adapter that llama.cpp would not apply over the loaded base: not a LoRA GGUF, or
 * made for another model (its tensors do not match the base's). Only that persona's answers fail.
 */
export function adapterProblem(
  adapterPath: string,
  nativeErrors: readonly string[],
  error: unknown,
): ModelError {
  const said = nativeErrors.length === 0 ? "" : ` (llama.cpp: ${nativeErrors.slice(-2).join("; ")})`;
  return new ModelError(
    "bad-response",
    `the LoRA adapter ${adapterPath} could not be applied to the embedded model${said}: it must be a LoRA GGUF made for this base model`,
    { cause: error },
  );
}
