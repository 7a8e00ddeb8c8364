/**
 * Which provider serves the base model. `auto` (the default) takes the first that works:
 * Ollama when it answers at OLLAMA_HOST, else an OpenAI-compatible server when OPENAI_BASE_URL is
 * set, else the embedded model when its file is already on disk. With none, a person at a terminal
 * is asked once whether to download the default model; a script gets the three ways to get a model
 * (and main exits 1). An explicit MODEL_PROVIDER is taken as asked; `embedded` downloads its model
 * without asking, since choosing it is the consent.
 */
import type { Logger } from "../../lib/logger.js";
import { maskUrl } from "../../lib/mask-url.js";
import { checkGgufFile } from "../embedded/gguf-header.js";
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
  | { provider: "embedded"; reason: string; embeddedModelPath: string }
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
    };
  }
  const missing = [
    noOllama,
    "OPENAI_BASE_URL is not set",
    `no embedded model at ${source.path} (${local.problem})`,
  ];
  if (source.kind === "remote" && input.interactive) {
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
      };
    }
    if (!fetched.declined) missing.push(fetched.message);
  }
  return { provider: "none", message: noModelMessage(missing, input.embeddedModel, source) };
}

async function chooseEmbedded(input: ChooseProviderInput, source: ModelSource): Promise<ProviderChoice> {
  const reason = "MODEL_PROVIDER=embedded";
  // A local file is used as named; if it is missing or broken, the model's check says so and how to fix it.
  if (source.kind === "file") return { provider: "embedded", reason, embeddedModelPath: source.path };
  if ((await checkGgufFile(source.path)).ok)
    return { provider: "embedded", reason, embeddedModelPath: source.path };
  const fetched = await fetchEmbeddedModel({
    source,
    ask: undefined,
    output: input.progressOutput,
    logger: input.logger,
    fetch: input.fetch,
    signal: input.signal,
    isDefault: input.embeddedModel === DEFAULT_EMBEDDED_MODEL,
  });
  if (fetched.ok)
    return {
      provider: "embedded",
      reason: `${reason}; downloaded ${source.label}`,
      embeddedModelPath: fetched.path,
    };
  return { provider: "none", message: `troupe cannot get the embedded model: ${fetched.message}` };
}

/** Why there is no model, then the three ways to get one. */
function noModelMessage(problems: string[], embeddedModel: string, source: ModelSource): string {
  const size = formatBytes(DEFAULT_EMBEDDED_MODEL_INFO.approximateBytes);
  const embeddedWay =
    source.kind === "file"
      ? `put a GGUF model file at ${source.path} (EMBEDDED_MODEL), or unset EMBEDDED_MODEL and start troupe ` +
        `in a terminal to download ${DEFAULT_EMBEDDED_MODEL_INFO.name} (about ${size}).`
      : embeddedModel === DEFAULT_EMBEDDED_MODEL
        ? `start troupe in a terminal and answer "y" to download ${DEFAULT_EMBEDDED_MODEL_INFO.name} (about ${size}), ` +
          "or set MODEL_PROVIDER=embedded to download it without asking, or set EMBEDDED_MODEL to a GGUF file you have."
        : `start troupe in a terminal to download EMBEDDED_MODEL=${maskUrl(embeddedModel)}, or set MODEL_PROVIDER=embedded ` +
          "to download it without asking, or set EMBEDDED_MODEL to a GGUF file you have.";
  return [
    "troupe needs a language model and found none:",
    ...problems.map((problem) => `  - ${problem}`),
    "Three ways to get one:",
    "  1. Ollama: install it (https://ollama.com), run `ollama pull llama3.2`, and start troupe again (or set OLLAMA_HOST).",
    "  2. An OpenAI-compatible server (vLLM, llama.cpp's llama-server, LM Studio, OpenAI): set OPENAI_BASE_URL and MODEL.",
    `  3. The embedded engine (no server, runs in troupe): ${embeddedWay}`,
  ].join("\n");
}
