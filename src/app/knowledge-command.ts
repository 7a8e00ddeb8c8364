/**
 * `npm run knowledge -- status` and `npm run knowledge -- search PERSONA "question"`: what the
 * index holds for each persona, and what a question would retrieve (score, source, heading, which
 * search found it with its raw BM25, how many of the question's terms it matched and its cosine
 * similarity, and whether the relevance cut-off kept or cut it). The same index and search the bot uses; `status` shows the index as it
 * is (it indexes nothing), `search` brings the persona's documents up to date first, as an answer
 * would.
 */
import { resolve } from "node:path";
import type { Config } from "../config.js";
import { passageLabel } from "../core/knowledge.js";
import { MIN_VECTOR_SIMILARITY, type PersonaKnowledgeStatus } from "../knowledge/knowledge-service.js";
import type { Logger } from "../lib/logger.js";
import { probeOllama } from "../model/ollama/ollama-probe.js";
import { loadPersonaDirectory } from "../personas/persona-directory.js";
import { FatalError } from "./fatal.js";
import { type KnowledgeConfig, openKnowledge } from "./open-knowledge.js";

export type KnowledgeCommandConfig = KnowledgeConfig &
  Pick<Config, "MODEL_PROVIDER" | "PERSONAS_DIR" | "PERSONA_MAX_KB">;

export const KNOWLEDGE_USAGE = `Usage:
  npm run knowledge -- status                       each persona's documents, passages and index age
  npm run knowledge -- search PERSONA "question"    what the question would retrieve`;

/** Passages `search` lists: more than an answer uses, to show what was near the cut. */
const SEARCH_LIMIT = 8;

export async function runKnowledgeCommand(
  args: readonly string[],
  config: KnowledgeCommandConfig,
  logger: Logger,
  now: () => number = Date.now,
): Promise<string> {
  const [verb, personaName, ...words] = args;
  if (verb !== "status" && verb !== "search") throw new FatalError(KNOWLEDGE_USAGE);
  const question = words.join(" ").trim();
  if (verb === "search" && (personaName === undefined || question === ""))
    throw new FatalError(KNOWLEDGE_USAGE);

  const personas = await loadPersonaDirectory(config.PERSONAS_DIR, {
    logger,
    watch: false,
    maxFileKb: config.PERSONA_MAX_KB,
  });
  const provider = await embeddingProvider(config);
  const knowledge = await openKnowledge(config, { provider, logger, watch: false });
  try {
    const mode = knowledge.vectors ? `keyword + vector (EMBED_MODEL=${config.EMBED_MODEL})` : "keyword only";
    const header = `Knowledge index ${resolve(config.KNOWLEDGE_DB)}: ${mode}`;
    if (verb === "status") {
      const statuses = await knowledge.status(personas.list());
      if (statuses.length === 0) return `${header}\nNo persona has knowledge: in its front matter.`;
      return [header, ...statuses.map((status) => statusLine(status, now()))].join("\n");
    }
    const persona = personas.get(personaName ?? "");
    if (persona === undefined) {
      const names = personas.list().map((candidate) => candidate.name);
      throw new FatalError(`no persona called ${personaName}: there are ${names.join(", ")}`);
    }
    if (!knowledge.covers(persona))
      return `${header}\n${persona.name} has no knowledge: in its front matter (${persona.source}).`;
    const hits = await knowledge.search(persona, question, SEARCH_LIMIT);
    if (hits.length === 0)
      return `${header}\n${persona.name}: nothing in its documents matches "${question}".`;
    const lines = hits.map((hit, index) => {
      const found = [
        hit.keywordRank === undefined
          ? undefined
          : `keyword #${hit.keywordRank} bm25 ${hit.bm25?.toFixed(2)} matched ${hit.matchedTerms} of ${hit.questionTerms} terms`,
        hit.vectorRank === undefined
          ? undefined
          : `vector #${hit.vectorRank} similarity ${hit.similarity?.toFixed(3)}`,
      ].filter((part) => part !== undefined);
      const verdict = hit.relevant ? "used" : "cut ";
      const preview = hit.text.replace(/\s+/g, " ").slice(0, 120);
      return `${index + 1}. ${verdict} ${hit.score.toFixed(4)}  ${passageLabel(hit)}  (${found.join(", ")})\n     ${preview}`;
    });
    const used = hits.filter((hit) => hit.relevant).length;
    const summary =
      used === hits.length
        ? `${persona.name}: "${question}"`
        : `${persona.name}: "${question}" (${hits.length - used} cut: too few of the question's terms matched and vector similarity under ${MIN_VECTOR_SIMILARITY})`;
    return [header, summary, ...lines].join("\n");
  } finally {
    personas.close();
    await knowledge.close();
  }
}

function statusLine(status: PersonaKnowledgeStatus, now: number): string {
  const { documents, passages, lastIndexedAt } = status.indexed;
  const age = lastIndexedAt === undefined ? "never indexed" : `indexed ${ago(now - lastIndexedAt)}`;
  const pending = status.filesOnDisk === documents ? "" : ` (${status.filesOnDisk} on disk)`;
  return `${status.persona}: ${documents} documents${pending}, ${passages} passages, ${age}`;
}

function ago(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

/**
 * Which provider embeds, chosen as start-up chooses the chat model's, but never asking or
 * downloading: a command that reports must not start a download.
 */
async function embeddingProvider(config: KnowledgeCommandConfig): Promise<"ollama" | "openai" | "embedded"> {
  if (config.MODEL_PROVIDER !== "auto") return config.MODEL_PROVIDER;
  if (config.EMBED_MODEL === undefined) return "ollama";
  if ((await probeOllama(config.OLLAMA_HOST)).answers) return "ollama";
  return config.OPENAI_BASE_URL === undefined ? "embedded" : "openai";
}
