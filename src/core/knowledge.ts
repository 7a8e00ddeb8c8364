/**
 * Answering from documents, as core sees it: a persona with `knowledge:` gets the passages that
 * best match the message, and the conversation remembers which ones its last answer drew on (for
 * `/sources`). The index, the files and the embeddings live in src/knowledge/; core only knows
 * this contract. A passage carries its raw match scores only so the answer's log line can show why
 * it was used or cut; which passages count as relevant is decided in src/knowledge/.
 */
import type { Persona } from "./persona.js";

export interface KnowledgePassage {
  /** The document's name as people know it: `README.md`, `docs/architecture.md`. */
  source: string;
  /** The heading path the passage sits under (`Configuration › Model`), when the document has headings. */
  heading?: string;
  text: string;
  /** The fused rank score (reciprocal rank fusion): higher is better, comparable within one search. */
  score: number;
  /** SQLite's BM25 when the keyword search found it (lower is better). */
  bm25?: number;
  /** When the keyword search found it: how many of the question's distinct content terms it holds. */
  matchedTerms?: number;
  /** When the keyword search found it: how many distinct content terms (not stopwords) the question has. */
  questionTerms?: number;
  /** Cosine similarity to the question when the vector search found it (1 is the same direction). */
  similarity?: number;
}

/** One search's result: the passages relevant enough to use, and those near the top that were cut. */
export interface Retrieval {
  passages: KnowledgePassage[];
  /** Ranked within the limit but below the relevance cut-off: logged, never put in a prompt. */
  cut: KnowledgePassage[];
}

export interface KnowledgeBase {
  /** Whether this persona answers from documents at all (`knowledge:` in its file). */
  covers(persona: Persona): boolean;
  /** The best relevant passages for `question` among the persona's own documents, best first. */
  retrieve(persona: Persona, question: string, limit: number): Promise<Retrieval>;
}

/** What one answer drew on, kept per conversation for `/sources`. */
export interface UsedSources {
  persona: string;
  question: string;
  passages: KnowledgePassage[];
  at: number;
}

/** The last answer's sources per conversation: in memory, bounded (the oldest conversation goes first). */
export class SourcesLog {
  private readonly byConversation = new Map<string, UsedSources>();
  constructor(private readonly maxConversations = 10_000) {}

  record(conversationId: string, used: UsedSources): void {
    this.byConversation.delete(conversationId);
    this.byConversation.set(conversationId, used);
    if (this.byConversation.size > this.maxConversations) {
      const oldest = this.byConversation.keys().next().value;
      if (oldest !== undefined) this.byConversation.delete(oldest);
    }
  }

  last(conversationId: string): UsedSources | undefined {
    return this.byConversation.get(conversationId);
  }
}

/** `README.md › Configuration`: a passage's name in a sources line. */
export function passageLabel(passage: Pick<KnowledgePassage, "source" | "heading">): string {
  return passage.heading === undefined ? passage.source : `${passage.source} › ${passage.heading}`;
}

/** The line an answer ends with when passages were in its prompt: each source once, in rank order. */
export function sourcesLine(passages: readonly KnowledgePassage[]): string {
  const labels = [...new Set(passages.map(passageLabel))];
  return `Sources: ${labels.join("; ")}`;
}

/**
 * The passages as a prompt block: the persona is told to answer from them and to say when they do
 * not hold the answer. Numbered so the model can keep them apart; each carries its source.
 */
export function knowledgeBlock(passages: readonly KnowledgePassage[]): string {
  const listed = passages.map((passage, index) => `[${index + 1}] ${passageLabel(passage)}\n${passage.text}`);
  return [
    "Answer from the passages below, taken from the documents you know. If they do not hold the answer, say so plainly instead of guessing. Do not list the sources yourself: they are added after your answer.",
    "",
    ...listed.flatMap((text) => [text, ""]),
  ]
    .join("\n")
    .trimEnd();
}
