/**
 * The document passages one answer draws on: retrieved for the new message, kept within their
 * share of the prompt budget, turned into the prompt block, and what the log and `/sources` say
 * about them. A retrieval that fails never fails the answer: it is logged and the persona answers
 * without passages (it is told nothing it could mistake for documents).
 */
import type { Logger } from "../lib/logger.js";
import { type KnowledgeBase, type KnowledgePassage, knowledgeBlock, type Retrieval } from "./knowledge.js";
import type { Persona } from "./persona.js";
import { estimateMessageTokens } from "./tokens.js";

/** The most passages one prompt carries: more rarely helps a small model and costs history. */
export const MAX_PASSAGES = 4;
/** The passages' share of the room left after the reply: a quarter, so history keeps most of it. */
const KNOWLEDGE_SHARE = 0.25;

export interface AnswerKnowledge {
  /** The prompt block, or undefined when no passage is used. */
  context?: string;
  passages: KnowledgePassage[];
  /** Found but below the relevance cut-off (the log line shows them, with their scores). */
  cut: KnowledgePassage[];
}

export async function knowledgeForAnswer(
  knowledge: KnowledgeBase | undefined,
  persona: Persona,
  question: string,
  room: { contextTokens: number; replyTokens: number },
  logger: Logger,
): Promise<AnswerKnowledge> {
  if (knowledge === undefined || !knowledge.covers(persona)) return { passages: [], cut: [] };
  let retrieval: Retrieval;
  try {
    retrieval = await knowledge.retrieve(persona, question, MAX_PASSAGES);
  } catch (error) {
    logger.warn({ err: error }, "knowledge search failed: answering without the documents");
    return { passages: [], cut: [] };
  }
  const { passages: found, cut } = retrieval;
  const budget = Math.floor(Math.max(room.contextTokens - room.replyTokens, 0) * KNOWLEDGE_SHARE);
  const passages: KnowledgePassage[] = [];
  for (const passage of found) {
    const next = [...passages, passage];
    if (estimateMessageTokens(knowledgeBlock(next)) > budget) break;
    passages.push(passage);
  }
  if (passages.length === 0) return { passages, cut };
  return { context: knowledgeBlock(passages), passages, cut };
}

/** The passages as the answer's log line carries them: where from and how well they matched. */
export function passagesLogField(passages: readonly KnowledgePassage[]) {
  return passages.map((passage) => ({
    source: passage.source,
    heading: passage.heading,
    score: Number(passage.score.toFixed(4)),
    ...(passage.bm25 === undefined ? {} : { bm25: Number(passage.bm25.toFixed(3)) }),
    ...(passage.matchedTerms === undefined || passage.questionTerms === undefined
      ? {}
      : { terms: `matched ${passage.matchedTerms} of ${passage.questionTerms}` }),
    ...(passage.similarity === undefined ? {} : { similarity: Number(passage.similarity.toFixed(3)) }),
  }));
}
