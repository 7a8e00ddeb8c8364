/**
 * The knowledge index at start-up: the embedder of the chat model's provider for EMBED_MODEL, asked
 * once whether it embeds at all (no embedding model is normal: keyword search alone, said in one
 * log line), the index opened (rebuilt when the model it records differs), and the personas'
 * documents indexed in the background so start-up does not wait for them (a question that comes
 * first waits for its persona's documents only).
 */
import { resolve } from "node:path";
import type { Config } from "../config.js";
import type { Persona } from "../core/persona.js";
import { KnowledgeIndex } from "../knowledge/knowledge-index.js";
import { KnowledgeService } from "../knowledge/knowledge-service.js";
import type { Logger } from "../lib/logger.js";
import { type Embedder, EmbeddingsUnsupported } from "../model/embedder.js";
import { createEmbedder } from "../model/embeddings/create-embedder.js";
import type { PersonaDirectory } from "../personas/persona-directory.js";
import { FatalError } from "./fatal.js";

export type KnowledgeConfig = Pick<
  Config,
  "EMBED_MODEL" | "KNOWLEDGE_DB" | "OLLAMA_HOST" | "OPENAI_BASE_URL" | "OPENAI_API_KEY" | "EMBEDDED_THREADS"
>;

export interface OpenKnowledgeOptions {
  provider: "ollama" | "openai" | "embedded";
  logger: Logger;
  /** Watch the documents for changes (the bot); the CLI reads them once. */
  watch: boolean;
  /** Indexed now, in the background (the bot), or left for the caller. */
  personas?: readonly Persona[];
  /** Hot reloads: roots no persona lists any more stop being watched. */
  reloads?: Pick<PersonaDirectory, "list" | "onChange">;
}

export async function openKnowledge(
  config: KnowledgeConfig,
  options: OpenKnowledgeOptions,
): Promise<KnowledgeService> {
  const logger = options.logger.child({ component: "knowledge" });
  const embedder = await usableEmbedder(config, options.provider, logger);
  const path = resolve(config.KNOWLEDGE_DB);
  let opened: Awaited<ReturnType<typeof KnowledgeIndex.open>>;
  try {
    opened = await KnowledgeIndex.open(path, embedder?.model);
  } catch (error) {
    throw new FatalError(
      `cannot open the knowledge index KNOWLEDGE_DB=${config.KNOWLEDGE_DB}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (opened.rebuilt !== undefined)
    logger.info(
      { from: opened.rebuilt.from || "(keyword only)", to: opened.rebuilt.to || "(keyword only)", path },
      "knowledge index rebuilt: its vectors came from another embedding model",
    );
  const service = new KnowledgeService({ index: opened.index, embedder, logger, watch: options.watch });
  const reloads = options.reloads;
  if (reloads !== undefined) reloads.onChange(() => service.keepRootsOf(reloads.list()));
  if (options.personas !== undefined)
    service
      .prepare(options.personas)
      .catch((error: unknown) => logger.error({ err: error }, "knowledge indexing failed"));
  return service;
}

/** The embedder, if EMBED_MODEL is set and the provider has it; otherwise one line says why not. */
async function usableEmbedder(
  config: KnowledgeConfig,
  provider: OpenKnowledgeOptions["provider"],
  logger: Logger,
): Promise<Embedder | undefined> {
  const embedder = createEmbedder({
    provider,
    model: config.EMBED_MODEL,
    ollamaHost: config.OLLAMA_HOST,
    openaiBaseUrl: config.OPENAI_BASE_URL,
    openaiApiKey: config.OPENAI_API_KEY,
    embeddedThreads: config.EMBEDDED_THREADS,
  });
  if (embedder === undefined) {
    logger.info("knowledge: keyword search only (EMBED_MODEL is not set)");
    return undefined;
  }
  try {
    await embedder.embed(["troupe"]);
    logger.info({ embedModel: embedder.model, provider }, "knowledge: keyword and vector search");
    return embedder;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn(
      { embedModel: embedder.model, provider, reason, unsupported: error instanceof EmbeddingsUnsupported },
      "knowledge: keyword search only (the provider did not embed with EMBED_MODEL)",
    );
    await embedder.close?.();
    return undefined;
  }
}
