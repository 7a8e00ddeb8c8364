/**
 * `npm run bench -- knowledge`: the knowledge index's figures. Indexing throughput (MB of Markdown
 * a second, keyword only and with embeddings from the fake Ollama over HTTP), query latency at 1k,
 * 10k and 100k passages (a generated corpus; vectors of 384 dimensions, the size of small real
 * embedding models, made in-process so the figure is the index's, not an HTTP round trip's), and
 * retrieval quality on bench/knowledge-questions.yaml over troupe's own README and docs: hit rate
 * at 3, keyword only and hybrid. The fake's embeddings are a hashed bag of words, so "hybrid" here
 * shows the fusion works, not what a real embedding model adds.
 */
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import type { Persona } from "../src/core/persona.js";
import { KnowledgeIndex } from "../src/knowledge/knowledge-index.js";
import { KnowledgeService, MIN_VECTOR_SIMILARITY } from "../src/knowledge/knowledge-service.js";
import { silentLogger } from "../src/lib/logger.js";
import { type Embedder, normalise } from "../src/model/embedder.js";
import { createOllamaEmbedder } from "../src/model/embeddings/ollama-embedder.js";
import { fakeEmbedding } from "../tests/fakes/fake-embeddings.js";
import { startFakeOllama } from "../tests/fakes/fake-ollama.js";
import { repoRoot } from "../tests/helpers/run-troupe.js";
import { type Summary, summarize } from "./stats.js";

/**
 * The generated corpus's words: 20,000 made-up words drawn with a Zipf-like skew, as words in real
 * text are (a few very common, most rare), so a query matches some passages, not all of them.
 */
const VOCABULARY_SIZE = 20_000;
const SYLLABLES = "ka lo mi nu re sa ti vo pe da fi gu ho ja ke li ma ne po qu ri so tu va we xi yo ze".split(
  " ",
);
const VOCABULARY = Array.from({ length: VOCABULARY_SIZE }, (_, index) => {
  let word = "";
  for (let rest = index + 1; rest > 0; rest = Math.floor(rest / SYLLABLES.length))
    word += SYLLABLES[rest % SYLLABLES.length];
  return word;
});
const QUERY_DIMENSIONS = 384;
const QUERIES = 100;

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function sentence(random: () => number, words: number): string {
  const picked = Array.from(
    { length: words },
    () => VOCABULARY[Math.floor(random() * VOCABULARY.length)] ?? "",
  );
  return `${picked.join(" ")}.`;
}

/** A Markdown file of `sections` sections, each a heading and three paragraphs. */
function markdownFile(random: () => number, sections: number): string {
  const parts: string[] = [`# Generated ${Math.floor(random() * 1e6)}`];
  for (let section = 0; section < sections; section++) {
    parts.push(`## ${sentence(random, 3)}`);
    for (let paragraph = 0; paragraph < 3; paragraph++)
      parts.push(sentence(random, 40 + Math.floor(random() * 40)));
  }
  return `${parts.join("\n\n")}\n`;
}

const personaFor = (root: string, entries: string[]): Persona => ({
  name: "bench",
  displayName: "Bench",
  description: "bench",
  systemPrompt: "bench",
  examples: [],
  tags: [],
  knowledge: entries,
  source: join(root, "personas", "bench.md"),
});

/** In-process fake embeddings: the same function the fakes serve, without the HTTP. */
function localEmbedder(dimensions: number): Embedder {
  return {
    model: `fake-${dimensions}`,
    embed: async (texts) => texts.map((text) => normalise(fakeEmbedding(text, dimensions))),
  };
}

export interface IndexingFigures {
  megabytes: number;
  keywordMBps: number;
  hybridMBps: number;
}

async function benchIndexing(): Promise<IndexingFigures> {
  const root = await mkdtemp(join(tmpdir(), "troupe-bench-knowledge-"));
  const ollama = await startFakeOllama();
  try {
    const random = seeded(1);
    let bytes = 0;
    for (let file = 0; file < 40; file++) {
      const text = markdownFile(random, 12);
      bytes += Buffer.byteLength(text);
      await mkdir(join(root, "docs"), { recursive: true });
      await writeFile(join(root, "docs", `file-${file}.md`), text);
    }
    const persona = personaFor(root, ["../docs"]);
    const time = async (embedder: Embedder | undefined, name: string) => {
      const { index } = await KnowledgeIndex.open(join(root, `${name}.sqlite`), embedder?.model);
      const service = new KnowledgeService({ index, embedder, logger: silentLogger, watch: false });
      const started = performance.now();
      await service.prepare([persona]);
      const seconds = (performance.now() - started) / 1000;
      await service.close();
      return bytes / 1_048_576 / seconds;
    };
    const keywordMBps = await time(undefined, "keyword");
    const hybridMBps = await time(
      createOllamaEmbedder({ host: ollama.host, model: "nomic-embed-text" }),
      "hybrid",
    );
    return { megabytes: bytes / 1_048_576, keywordMBps, hybridMBps };
  } finally {
    await ollama.close();
    await rm(root, { recursive: true, force: true });
  }
}

export interface LatencyFigures {
  passages: number;
  keyword: Summary;
  hybrid: Summary;
}

/** Search latency over a generated corpus of `passages` passages, written straight into the index. */
async function benchLatency(passages: number): Promise<LatencyFigures> {
  const root = await mkdtemp(join(tmpdir(), "troupe-bench-knowledge-"));
  try {
    const embedder = localEmbedder(QUERY_DIMENSIONS);
    const { index } = await KnowledgeIndex.open(join(root, "latency.sqlite"), embedder.model);
    const random = seeded(passages);
    const perDocument = 100;
    await mkdir(join(root, "docs"), { recursive: true });
    for (let document = 0; document * perDocument < passages; document++) {
      const path = join(root, "docs", `doc-${document}.md`);
      const chunk = Array.from({ length: perDocument }, () => ({
        heading: sentence(random, 3),
        text: sentence(random, 60),
      }));
      const vectors = await embedder.embed(chunk.map((passage) => `${passage.heading}\n${passage.text}`));
      await index.replaceDocument({ path, size: 1, mtimeMs: 1 }, "generated", chunk, vectors);
      // A file of the recorded size and time: the service's first sync leaves its passages alone.
      await writeFile(path, "x");
      await utimes(path, 0.001, 0.001);
    }
    const persona = personaFor(root, ["../docs"]);
    const measure = async (withVectors: boolean): Promise<Summary> => {
      const service = new KnowledgeService({
        index,
        embedder: withVectors ? embedder : undefined,
        logger: silentLogger,
        watch: false,
      });
      const queries = seeded(7);
      const probe = await service.search(persona, sentence(queries, 6), 4);
      if (probe.length === 0)
        throw new Error(`the generated corpus of ${passages} passages was not searched`);
      for (let warm = 0; warm < 10; warm++) await service.search(persona, sentence(queries, 6), 4);
      const timings: number[] = [];
      for (let query = 0; query < QUERIES; query++) {
        const question = sentence(queries, 6);
        const started = performance.now();
        await service.search(persona, question, 4);
        timings.push(performance.now() - started);
      }
      return summarize(timings);
    };
    const keyword = await measure(false);
    const hybrid = await measure(true);
    await index.close();
    return { passages, keyword, hybrid };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const benchQuestions = z.array(
  z.union([
    z.object({ question: z.string(), file: z.string(), heading: z.string() }),
    z.object({ question: z.string(), offTopic: z.literal(true) }),
  ]),
);

export interface RetrievalQuality {
  /** Labelled questions with a passage from their section among the first three used. */
  hitsAt3: number;
  /** Off-topic questions that got any passage past the relevance cut-off. */
  offTopicAnswered: number;
  /** Vector similarity of the labelled section's best passage, per labelled question where vectors found it. */
  labelledSimilarities: number[];
  /** The best vector similarity each off-topic question reached. */
  offTopicSimilarities: number[];
}

export interface QualityFigures {
  questions: number;
  offTopicQuestions: number;
  keyword: RetrievalQuality;
  hybrid: RetrievalQuality;
}

/**
 * Hit rate at 3 on the labelled questions, over the README and docs of the checkout the bench runs
 * in, with the relevance cut-off applied as an answer applies it; and how many off-topic questions
 * still got passages (false positives). The similarities say where MIN_VECTOR_SIMILARITY sits.
 */
async function benchQuality(): Promise<QualityFigures> {
  const questions = benchQuestions.parse(
    parse(await readFile(join(repoRoot, "bench", "knowledge-questions.yaml"), "utf8")),
  );
  const root = await mkdtemp(join(tmpdir(), "troupe-bench-knowledge-"));
  const ollama = await startFakeOllama();
  try {
    const persona: Persona = { ...personaFor(repoRoot, ["../README.md", "../docs"]) };
    const measure = async (embedder: Embedder | undefined, name: string): Promise<RetrievalQuality> => {
      const { index } = await KnowledgeIndex.open(join(root, `${name}.sqlite`), embedder?.model);
      const service = new KnowledgeService({ index, embedder, logger: silentLogger, watch: false });
      const quality: RetrievalQuality = {
        hitsAt3: 0,
        offTopicAnswered: 0,
        labelledSimilarities: [],
        offTopicSimilarities: [],
      };
      for (const entry of questions) {
        const { passages } = await service.retrieve(persona, entry.question, 3);
        const ranked = await service.search(persona, entry.question, 1_000);
        if ("offTopic" in entry) {
          if (passages.length > 0) quality.offTopicAnswered++;
          const best = Math.max(...ranked.map((passage) => passage.similarity ?? Number.NEGATIVE_INFINITY));
          if (Number.isFinite(best)) quality.offTopicSimilarities.push(best);
          continue;
        }
        const fromSection = (passage: { source: string; heading?: string }) =>
          passage.source === entry.file && (passage.heading ?? "").split(" › ").at(-1) === entry.heading;
        if (passages.some(fromSection)) quality.hitsAt3++;
        const labelled = ranked.filter(fromSection).map((passage) => passage.similarity);
        const best = Math.max(...labelled.map((value) => value ?? Number.NEGATIVE_INFINITY));
        if (Number.isFinite(best)) quality.labelledSimilarities.push(best);
      }
      await service.close();
      return quality;
    };
    const keyword = await measure(undefined, "keyword");
    const hybrid = await measure(
      createOllamaEmbedder({ host: ollama.host, model: "nomic-embed-text" }),
      "hybrid",
    );
    const offTopicQuestions = questions.filter((entry) => "offTopic" in entry).length;
    return { questions: questions.length - offTopicQuestions, offTopicQuestions, keyword, hybrid };
  } finally {
    await ollama.close();
    await rm(root, { recursive: true, force: true });
  }
}

export interface KnowledgeFigures {
  indexing: IndexingFigures;
  latency: LatencyFigures[];
  quality: QualityFigures;
}

export async function benchKnowledge(
  sizes: readonly number[] = [1_000, 10_000, 100_000],
): Promise<KnowledgeFigures> {
  const indexing = await benchIndexing();
  const latency: LatencyFigures[] = [];
  for (const size of sizes) latency.push(await benchLatency(size));
  const quality = await benchQuality();
  return { indexing, latency, quality };
}

/** `min 0.41, median 0.62` (or max first for the off-topic side, where the top is what matters). */
function spread(values: readonly number[], maxFirst = false): string {
  if (values.length === 0) return "none";
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const edge = maxFirst ? `max ${(sorted.at(-1) ?? 0).toFixed(3)}` : `${(sorted[0] ?? 0).toFixed(3)}`;
  return `${edge}, median ${median.toFixed(3)}`;
}

export function formatKnowledgeFigures(figures: KnowledgeFigures): string[] {
  const { indexing, quality } = figures;
  const percent = (hits: number) => `${Math.round((hits / quality.questions) * 100)}%`;
  return [
    "knowledge:",
    `  indexing ${indexing.megabytes.toFixed(1)} MB of Markdown: ${indexing.keywordMBps.toFixed(2)} MB/s keyword only, ${indexing.hybridMBps.toFixed(2)} MB/s with embeddings (fake Ollama over HTTP)`,
    ...figures.latency.map(
      (size) =>
        `  query at ${size.passages.toLocaleString("en")} passages: keyword p50 ${size.keyword.medianMs} ms, p99 ${size.keyword.p99Ms} ms | hybrid (${QUERY_DIMENSIONS} dims) p50 ${size.hybrid.medianMs} ms, p99 ${size.hybrid.p99Ms} ms`,
    ),
    `  hit rate at 3 after the relevance cut-off, ${quality.questions} questions on troupe's README and docs: keyword ${percent(quality.keyword.hitsAt3)} (${quality.keyword.hitsAt3}), hybrid ${percent(quality.hybrid.hitsAt3)} (${quality.hybrid.hitsAt3})`,
    `  off-topic questions given passages (false positives), of ${quality.offTopicQuestions}: keyword ${quality.keyword.offTopicAnswered}, hybrid ${quality.hybrid.offTopicAnswered}`,
    `  vector similarity (cut-off ${MIN_VECTOR_SIMILARITY}): labelled section's best passage min ${spread(quality.hybrid.labelledSimilarities)}; off-topic best match ${spread(quality.hybrid.offTopicSimilarities, true)}`,
  ];
}
