/**
 * The knowledge base core asks (KnowledgeBase): for a persona, its roots are indexed on first use
 * and watched from then on, so a persona added by hot reload, or a document saved in a folder
 * outside PERSONAS_DIR, is searchable without a restart. A search runs the keyword search (FTS5)
 * and, with an embedder, the vector search (vec0) over the persona's own documents only, and merges
 * them by reciprocal rank fusion.
 */
import { type FSWatcher, watch } from "node:fs";
import { basename, dirname, sep } from "node:path";
import type { KnowledgeBase, KnowledgePassage, Retrieval } from "../core/knowledge.js";
import type { Persona } from "../core/persona.js";
import type { Logger } from "../lib/logger.js";
import type { Embedder } from "../model/embedder.js";
import { documentName, knowledgeRoots, listRoot } from "./knowledge-files.js";
import type { IndexCounts, KnowledgeIndex, PassageHit } from "./knowledge-index.js";
import { fuseRanks } from "./rank-fusion.js";
import { type SyncCounts, syncRoot } from "./sync-root.js";

/** Candidates each search contributes before fusion: deep enough that agreement lower down counts. */
const CANDIDATES = 20;
/**
 * The relevance cut-off. Both searches always find something (one ordinary word such as "capital"
 * or "like" is enough for the keyword search; nearest neighbours always exist), so without it every
 * message would get passages. It is decided on the raw figures each result keeps, since RRF scores
 * are only ranks. Chosen with `npm run bench -- knowledge` over bench/knowledge-questions.yaml
 * (31 labelled questions, 10 off-topic) on troupe's README and docs.
 *
 * Keyword side: a passage counts when it holds enough of the question's distinct content terms
 * (stopwords left out; matched by FTS5 itself, so porter stemming counts: "folders" finds
 * "folder"): all of them when the question has one or two, else more than half and at least
 * MIN_MATCHED_TERMS. Measured there: with any one word counting (before), keyword hit rate at 3
 * 74% (23/31), hybrid 65% (20), and 5 of 10 off-topic questions got passages through one or two
 * ordinary words ("capital" 1 of 2 terms, "recommend"/"good" 1 of 4, "tell" + "joke" 2 of 4,
 * "like"/"weather" 1 of 4). With this rule: keyword 77% (24), hybrid 71% (22), since a one-word
 * match no longer pushes the answering section out of the first three; 1 off-topic question left,
 * "Write a haiku about autumn leaves" (3 of 5 terms, the README's `/ask … a haiku about tea`
 * example). Half instead of more than half kept 24 hits but let "tell me a joke" through (2 FPs);
 * at least two terms alone kept 23 and 2 FPs.
 */
export const MIN_MATCHED_TERMS = 2;
/** The share of the question's content terms a passage must hold past the first two: more than half. */
export const MIN_MATCHED_SHARE = 0.5;

/**
 * Vector side: a passage found by vectors alone must be at least this similar (cosine) to the
 * question. The best match of an off-topic question reached 0.553 at most (median 0.49), so 0.6
 * lets none through on vectors alone; the labelled sections' best passages had a median of 0.42, so
 * vectors alone rarely add a passage the keywords missed. Those are the fakes' 64-dimension hashed
 * bag of words, where short texts collide; a real model's similarities sit on another scale, so
 * measure again for one.
 */
export const MIN_VECTOR_SIMILARITY = 0.6;

/** How many of a question's `questionTerms` content terms a keyword match must hold to count. */
export function requiredTerms(questionTerms: number): number {
  if (questionTerms <= MIN_MATCHED_TERMS) return questionTerms;
  return Math.max(MIN_MATCHED_TERMS, Math.floor(questionTerms * MIN_MATCHED_SHARE) + 1);
}

/** Saves arrive in bursts (temp file, rename, touch): one re-index after a quiet spell. */
const WATCH_DEBOUNCE_MS = 300;

export interface RankedPassage extends KnowledgePassage {
  /** 1-based place in the keyword results, if it was there. */
  keywordRank?: number;
  /** 1-based place in the vector results, if it was there. */
  vectorRank?: number;
  /** Past the relevance cut-off (enough of the question's terms, or similar enough to the question). */
  relevant: boolean;
}

export interface PersonaKnowledgeStatus {
  persona: string;
  roots: string[];
  /** Documents found on disk under the roots now. */
  filesOnDisk: number;
  indexed: IndexCounts;
}

interface RootState {
  /** The first sync; later ones chain behind it, one at a time. */
  syncing: Promise<void>;
  documentIds: number[];
  watcher?: FSWatcher;
  timer?: NodeJS.Timeout;
}

export interface KnowledgeServiceOptions {
  index: KnowledgeIndex;
  /** Unset: keyword search alone. */
  embedder?: Embedder;
  logger: Logger;
  /** Watch the roots for changes (the bot does; a one-shot command does not). */
  watch: boolean;
}

export class KnowledgeService implements KnowledgeBase {
  private readonly roots = new Map<string, RootState>();
  private readonly logger: Logger;
  private closed = false;

  constructor(private readonly options: KnowledgeServiceOptions) {
    this.logger = options.logger.child({ component: "knowledge" });
  }

  /** Whether vector search runs (an embedder that works), or keyword search alone. */
  get vectors(): boolean {
    return this.options.embedder !== undefined;
  }

  covers(persona: Persona): boolean {
    return (persona.knowledge?.length ?? 0) > 0;
  }

  /** The best relevant passages, and those the cut-off removed from the first `limit`. */
  async retrieve(persona: Persona, question: string, limit: number): Promise<Retrieval> {
    const ranked = await this.rank(persona, question);
    return {
      passages: ranked.filter((passage) => passage.relevant).slice(0, limit),
      cut: ranked.slice(0, limit).filter((passage) => !passage.relevant),
    };
  }

  /** The first `limit` passages by fused rank, relevant or not, with how each search ranked them (the CLI's `search`). */
  async search(persona: Persona, question: string, limit: number): Promise<RankedPassage[]> {
    return (await this.rank(persona, question)).slice(0, limit);
  }

  /** Every candidate either search found, by fused rank, each with its raw scores and the cut-off's verdict. */
  private async rank(persona: Persona, question: string): Promise<RankedPassage[]> {
    const roots = knowledgeRoots(persona);
    const documentIds = (await Promise.all(roots.map((root) => this.ready(root)))).flat();
    const { index, embedder } = this.options;
    const keyword = index.keywordSearch(question, documentIds, CANDIDATES);
    let vector: PassageHit[] = [];
    if (embedder !== undefined && documentIds.length > 0) {
      try {
        const [queryVector] = await embedder.embed([question]);
        if (queryVector !== undefined)
          vector = await index.vectorSearch(queryVector, documentIds, CANDIDATES);
      } catch (error) {
        this.logger.warn(
          { err: error, persona: persona.name },
          "embedding the question failed: keyword search only",
        );
      }
    }
    const keywordHits = await keyword;
    const keywordById = new Map(keywordHits.map((hit) => [hit.passageId, hit]));
    const distanceById = new Map(vector.map((hit) => [hit.passageId, hit.distance]));
    const fused = fuseRanks([keywordHits, vector], (hit) => hit.passageId, Number.POSITIVE_INFINITY);
    return fused.map(({ item, score, ranks }) => {
      const [keywordRank, vectorRank] = ranks;
      const heading = item.heading ?? undefined;
      const keywordHit = keywordById.get(item.passageId);
      const bm25 = keywordHit?.bm25;
      const matchedTerms = keywordHit?.matchedTerms;
      const questionTerms = keywordHit?.questionTerms;
      const enoughTerms =
        matchedTerms !== undefined &&
        questionTerms !== undefined &&
        matchedTerms >= requiredTerms(questionTerms);
      const distance = distanceById.get(item.passageId);
      const similarity = distance === undefined ? undefined : 1 - distance;
      return {
        source: documentName(roots, item.documentPath),
        ...(heading === undefined || heading === "" ? {} : { heading }),
        text: item.text,
        score,
        ...(bm25 === undefined ? {} : { bm25 }),
        ...(similarity === undefined ? {} : { similarity }),
        ...(matchedTerms === undefined || questionTerms === undefined ? {} : { matchedTerms, questionTerms }),
        ...(keywordRank === undefined ? {} : { keywordRank }),
        ...(vectorRank === undefined ? {} : { vectorRank }),
        relevant: enoughTerms || (similarity ?? 0) >= MIN_VECTOR_SIMILARITY,
      };
    });
  }

  /** Each persona's documents as the index holds them (no indexing: the index as it is now). */
  async status(personas: readonly Persona[]): Promise<PersonaKnowledgeStatus[]> {
    const result: PersonaKnowledgeStatus[] = [];
    for (const persona of personas.filter((candidate) => this.covers(candidate))) {
      const roots = knowledgeRoots(persona);
      let filesOnDisk = 0;
      const ids: number[] = [];
      for (const root of roots) {
        filesOnDisk += (await listRoot(root)).files.length;
        ids.push(...(await this.options.index.documentsUnder(root, sep)).map((document) => document.id));
      }
      result.push({
        persona: persona.name,
        roots,
        filesOnDisk,
        indexed: await this.options.index.counts(ids),
      });
    }
    return result;
  }

  /** Indexes every root of these personas now (start-up, and the CLI before a search). */
  async prepare(personas: readonly Persona[]): Promise<void> {
    const roots = new Set(personas.flatMap((persona) => knowledgeRoots(persona)));
    await Promise.all([...roots].map((root) => this.ready(root)));
  }

  /**
   * Stops watching the roots none of these personas lists any more (a persona removed, or its
   * `knowledge:` changed, by hot reload): their documents stay in the index, unwatched, and a root
   * listed again is brought up to date on its next use, as a new one is.
   */
  keepRootsOf(personas: readonly Persona[]): void {
    const listed = new Set(personas.flatMap((persona) => knowledgeRoots(persona)));
    for (const [root, state] of this.roots) {
      if (listed.has(root)) continue;
      clearTimeout(state.timer);
      state.watcher?.close();
      this.roots.delete(root);
      this.logger.info({ root }, "knowledge folder no longer listed by any persona: not watched any more");
    }
  }

  /** The roots indexed and watched now (status and tests). */
  watchedRoots(): string[] {
    return [...this.roots.keys()];
  }

  /** The root's document ids, once its first sync has run (and its watch has begun). */
  private async ready(root: string): Promise<number[]> {
    let state = this.roots.get(root);
    if (state === undefined) {
      const created: RootState = { syncing: Promise.resolve(), documentIds: [] };
      state = created;
      this.roots.set(root, created);
      created.syncing = this.sync(root, created);
      if (this.options.watch) this.watchRoot(root, created);
    }
    await state.syncing;
    return state.documentIds;
  }

  private async sync(root: string, state: RootState): Promise<void> {
    const started = Date.now();
    let counts: SyncCounts | undefined;
    try {
      counts = await syncRoot(this.options.index, this.options.embedder, root, this.logger);
    } catch (error) {
      this.logger.error({ err: error, root }, "knowledge folder could not be indexed");
    }
    try {
      state.documentIds = (await this.options.index.documentsUnder(root, sep)).map((document) => document.id);
    } catch (error) {
      this.logger.error(
        { err: error, root },
        "knowledge index unreadable: this folder's documents are left out",
      );
    }
    if (counts !== undefined && counts.added + counts.changed + counts.removed + counts.failed > 0)
      this.logger.info({ root, ...counts, ms: Date.now() - started }, "knowledge indexed");
  }

  private watchRoot(root: string, state: RootState): void {
    const resync = () => {
      clearTimeout(state.timer);
      state.timer = setTimeout(() => {
        if (this.closed || this.roots.get(root) !== state) return;
        state.syncing = state.syncing.then(() => this.sync(root, state));
      }, WATCH_DEBOUNCE_MS);
    };
    const start = async () => {
      const listing = await listRoot(root);
      // Closed, or no longer listed (keepRootsOf) while the listing ran.
      if (this.closed || this.roots.get(root) !== state) return;
      const folder = !listing.missing && listing.files.every((file) => file.path !== root);
      try {
        // A file root (or one not there yet) is watched through its folder, for renames over it.
        state.watcher = folder
          ? watch(root, { recursive: true, persistent: false }, resync)
          : watch(dirname(root), { persistent: false }, (_event, name) => {
              if (name === null || name === basename(root)) resync();
            });
        state.watcher.on("error", (error) =>
          this.logger.warn(
            { err: error, root },
            "watching a knowledge folder failed: changes show after a restart",
          ),
        );
      } catch (error) {
        this.logger.warn(
          { err: error, root },
          "cannot watch a knowledge folder: changes show after a restart",
        );
      }
    };
    void start();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const state of this.roots.values()) {
      clearTimeout(state.timer);
      state.watcher?.close();
    }
    await Promise.all([...this.roots.values()].map((state) => state.syncing.catch(() => undefined)));
    await this.options.embedder?.close?.();
    await this.options.index.close();
  }
}
