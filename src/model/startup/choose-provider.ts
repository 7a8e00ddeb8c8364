/**
 * Which provider serves the base model. `auto` (the default) takes the first that works:
 * Ollama when it answers at OLLAMA_HOST, else an OpenAI-compatible server when OPENAI_BASE_URL is
 * set, else the embedded model when its file is already on disk. With none, a person at a terminal
 * is told what was looked for and asked once whether to download the default model; a script gets
 * what was looked for and the three ways to get a model (and main exits 1). A download that fails
 * ends start-up too, with what happened and the one next step that fits. An explicit MODEL_PROVIDER is taken as asked; `embedded` downloads its model
 * without asking, since choosing it is the consent.
 */
import { stat } from "node:fs/promises";
import type { Logger } from "../../lib/logger.js";
import { maskUrl } from "../../lib/mask-url.js";
import { checkGgufFile, type GgufCheck } from "../embedded/gguf-header.js";
import { probeOllama } from "../ollama/ollama-probe.js";
import { fetchEmbeddedModel } from "./fetch-embedded-model.js";
import {
  DEFAULT_EMBEDDED_MODEL,
  DEFAULT_EMBEDDED_MODEL_INFO,
  type ModelSource,
  parseModelSource,
} from "./model-source.js";
import type { ProgressOutput } from "./progress-bar.js";
import { formatBytes } from "./progress-bar.js";

export type RequestedProvider = "auto" | "ollama" | "openai" | "embedded";

export interface ChooseProviderInput {
  requested: RequestedProvider;
  ollamaHost: string;
  openaiBaseUrl?: string;
  /** EMBEDDED_MODEL as configured: a file path, an `hf:` URI or an http(s) URL. */
  embeddedModel: string;
  modelsDir: string;
  /** Standard input is a terminal, so a person can answer a question. */
  interactive: boolean;
  /** Asks a yes/no question; only called when `interactive`. */
  ask(question: string): Promise<boolean>;
  /** Where the download progress bar goes (standard error: standard output holds answers). */
  progressOutput: ProgressOutput;
  logger: Logger;
  fetch?: typeof fetch;
  /** Ctrl-C during a download: stop it (the part downloaded is kept for the next start). */
  signal?: AbortSignal;
  probeTimeoutMs?: number;
}

export type ProviderChoice =
  | { provider: "ollama" | "openai"; reason: string }
  | {
      provider: "embedded";
      reason: string;
      embeddedModelPath: string;
      /**
       * troupe downloaded the file into MODELS_DIR (an `hf:` URI or URL), so deleting it to download
       * it again is a fix worth offering; a path the user named is theirs and never is.
       */
      embeddedModelDownloaded: boolean;
    }
  /** No model: print `message` and exit 1. */
  | { provider: "none"; message: string };

export async function chooseModelProvider(input: ChooseProviderInput): Promise<ProviderChoice> {
  const choice = await choose(input);
  if (choice.provider === "none") {
    input.logger.warn({ requested: input.requested }, "no model provider is available");
  } else {
    const model = choice.provider === "embedded" ? choice.embeddedModelPath : undefined;
    input.logger.info({ provider: choice.provider, model, reason: choice.reason }, "model provider chosen");
  }
  return choice;
}

async function choose(input: ChooseProviderInput): Promise<ProviderChoice> {
  const { requested } = input;
  if (requested === "ollama") return { provider: "ollama", reason: "MODEL_PROVIDER=ollama" };
  if (requested === "openai") return { provider: "openai", reason: "MODEL_PROVIDER=openai" };
  // Config validates EMBEDDED_MODEL, so a parse error here is a programming error and may throw.
  const source = parseModelSource(input.embeddedModel, input.modelsDir);
  if (requested === "embedded") return chooseEmbedded(input, source);

  const probe = await probeOllama(input.ollamaHost, input.fetch, input.probeTimeoutMs);
  // The reason is logged and shown at start-up: the URLs in it are masked.
  const ollamaHost = maskUrl(input.ollamaHost);
  if (probe.answers)
    return { provider: "ollama", reason: `Ollama ${probe.version} answers at ${ollamaHost}` };
  const noOllama = `Ollama is not answering at ${ollamaHost} (${probe.reason})`;
  if (input.openaiBaseUrl !== undefined) {
    return {
      provider: "openai",
      reason: `OPENAI_BASE_URL is set (${maskUrl(input.openaiBaseUrl)}); ${noOllama}`,
    };
  }
  const local = await checkGgufFile(source.path);
  if (local.ok) {
    return {
      provider: "embedded",
      reason: `the embedded model file is at ${source.path}; ${noOllama}; OPENAI_BASE_URL is not set`,
      embeddedModelPath: source.path,
      embeddedModelDownloaded: source.kind === "remote",
    };
  }
  // What was looked for, one line each: said before the download question and in the final message.
  const checked = [
    `Ollama at ${ollamaHost} — not answering (${probe.reason})`,
    "OPENAI_BASE_URL — not set",
    await embeddedLine(source, input.modelsDir, local),
  ];
  if (source.kind === "remote" && input.interactive) {
    input.progressOutput.write(`${lookedFor(checked)}\n`);
    const fetched = await fetchEmbeddedModel({
      source,
      ask: input.ask,
      output: input.progressOutput,
      logger: input.logger,
      fetch: input.fetch,
      signal: input.signal,
      isDefault: input.embeddedModel === DEFAULT_EMBEDDED_MODEL,
    });
    if (fetched.ok) {
      return {
        provider: "embedded",
        reason: "downloaded the embedded model at the user's request",
        embeddedModelPath: fetched.path,
        embeddedModelDownloaded: true,
      };
    }
    // The person has just read what was checked; a failed download says what happened and what next.
    if (!fetched.declined)
      return { provider: "none", message: `could not download the embedded model: ${fetched.message}` };
    return { provider: "none", message: noModelMessage(undefined, input.embeddedModel, source, "declined") };
  }
  const ownFileUnusable = source.kind === "file" && local.reason !== "missing";
  return {
    provider: "none",
    message: noModelMessage(checked, input.embeddedModel, source, ownFileUnusable ? "unusable" : "cold"),
  };
}

/** The embedded model's line of what was looked for: `./models — no Qwen….gguf`. */
async function embeddedLine(
  source: ModelSource,
  modelsDir: string,
  check: Exclude<GgufCheck, { ok: true }>,
): Promise<string> {
  if (source.kind === "file") return `EMBEDDED_MODEL=${source.label} — ${check.problem}`;
  if (check.reason !== "missing") return `${modelsDir} — ${source.fileName} cannot be used: ${check.problem}`;
  const partial = await fileBytes(`${source.path}.part`);
  const kept = partial > 0 ? ` (${formatBytes(partial)} of it from an interrupted download)` : "";
  return `${modelsDir} — no ${source.fileName}${kept}`;
}

function lookedFor(checked: string[]): string {
  return ["Looked for a model:", ...checked.map((line) => `  ${line}`)].join("\n");
}

async function fileBytes(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function chooseEmbedded(input: ChooseProviderInput, source: ModelSource): Promise<ProviderChoice> {
  const reason = "MODEL_PROVIDER=embedded";
  // A local file is used as named; if it is missing or broken, the model's check says so and how to fix it.
  if (source.kind === "file")
    return { provider: "embedded", reason, embeddedModelPath: source.path, embeddedModelDownloaded: false };
  if ((await checkGgufFile(source.path)).ok)
    return { provider: "embedded", reason, embeddedModelPath: source.path, embeddedModelDownloaded: true };
  const fetched = await fetchEmbeddedModel({
    source,
    ask: undefined,
    output: input.progressOutput,
    logger: input.logger,
    fetch: input.fetch,
    signal: input.signal,
    isDefault: input.embeddedModel === DEFAULT_EMBEDDED_MODEL,
    ollamaInstead: "use Ollama instead (MODEL_PROVIDER=ollama; https://ollama.com)",
  });
  if (fetched.ok)
    return {
      provider: "embedded",
      reason: `${reason}; downloaded ${source.label}`,
      embeddedModelPath: fetched.path,
      embeddedModelDownloaded: true,
    };
  return { provider: "none", message: `troupe cannot get the embedded model: ${fetched.message}` };
}

/**
 * What was looked for (unless the person has just read it), then the three ways to get a model.
 * `declined`: asked at this terminal, the person said no. `unusable`: EMBEDDED_MODEL names the
 * user's own file and it is not a model troupe can use (theirs: never to be overwritten or deleted).
 */
function noModelMessage(
  checked: string[] | undefined,
  embeddedModel: string,
  source: ModelSource,
  situation: "cold" | "declined" | "unusable",
): string {
  const size = formatBytes(DEFAULT_EMBEDDED_MODEL_INFO.approximateBytes);
  const startAndAnswer =
    situation === "declined"
      ? 'start troupe again and answer "y"'
      : 'start troupe in a terminal and answer "y"';
  const embeddedWay =
    source.kind === "file"
      ? `${situation === "unusable" ? `set EMBEDDED_MODEL to a GGUF model file (${source.path} is not one)` : `put a GGUF model file at ${source.path} (EMBEDDED_MODEL)`}, ` +
        `or unset EMBEDDED_MODEL and start troupe in a terminal to download ${DEFAULT_EMBEDDED_MODEL_INFO.name} (about ${size}).`
      : embeddedModel === DEFAULT_EMBEDDED_MODEL
        ? `${startAndAnswer} to download ${DEFAULT_EMBEDDED_MODEL_INFO.name} (about ${size}), ` +
          "or set MODEL_PROVIDER=embedded to download it without asking, or set EMBEDDED_MODEL to a GGUF file you have."
        : `${startAndAnswer} to download EMBEDDED_MODEL=${maskUrl(embeddedModel)}, or set MODEL_PROVIDER=embedded ` +
          "to download it without asking, or set EMBEDDED_MODEL to a GGUF file you have.";
  return [
    checked === undefined
      ? "troupe needs a language model to start."
      : "troupe needs a language model and found none.",
    ...(checked === undefined ? [] : [lookedFor(checked)]),
    "Three ways to get one:",
    "  1. Ollama: install it (https://ollama.com), run `ollama pull llama3.2`, and start troupe again (or set OLLAMA_HOST).",
    "  2. An OpenAI-compatible server (vLLM, llama.cpp's llama-server, LM Studio, OpenAI): set OPENAI_BASE_URL and MODEL.",
    `  3. The embedded engine (no server, runs in troupe): ${embeddedWay}`,
  ].join("\n");
}
