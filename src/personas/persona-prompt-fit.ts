/**
 * Whether a persona's fixed prompt (system prompt, few-shot examples, post_history: what every
 * request carries) leaves room to converse in the context window. A persona that does not would be
 * sent whole with every message while history is trimmed to nothing and the message itself cut, or
 * the server truncates the prompt silently: better refused, with the numbers, when it is loaded.
 * One that fits but leaves less than a quarter of the window to the conversation is loaded with a
 * warning: it works, but forgets the conversation early. Estimated like src/core/prompt.ts builds
 * the prompt, with the same token estimate.
 */
import type { Persona } from "../core/persona.js";
import { estimateMessageTokens } from "../core/tokens.js";
import type { PersonaProblem } from "./parser/persona-parser.js";
import type { PromptBudget } from "./persona-limits.js";

/**
 * The least room that must stay free for the conversation once the fixed prompt and the answer are
 * counted: the new message and a few recent turns (about 1,600 characters of English).
 */
export const MIN_CONVERSATION_TOKENS = 512;

/**
 * Below this share of CONTEXT_TOKENS left to the conversation (fixed prompt and answer room above
 * three quarters of it), a persona is loaded with a warning.
 */
const WARN_BELOW_CONVERSATION_SHARE = 0.25;

/** What every request for this persona carries before any history or the new message. */
function fixedPromptTokens(persona: Persona): number {
  let total = estimateMessageTokens(persona.systemPrompt);
  for (const example of persona.examples) {
    total += estimateMessageTokens(example.user) + estimateMessageTokens(example.assistant);
  }
  if (persona.postHistory !== undefined) total += estimateMessageTokens(persona.postHistory);
  return total;
}

/** A problem naming the numbers when the persona leaves less than MIN_CONVERSATION_TOKENS. */
export function promptFitProblem(persona: Persona, budget: PromptBudget): PersonaProblem | undefined {
  const prompt = fixedPromptTokens(persona);
  const reply = persona.maxTokens ?? budget.replyTokens;
  const left = budget.contextTokens - reply;
  if (prompt + MIN_CONVERSATION_TOKENS <= left) return undefined;
  const replySource = persona.maxTokens === undefined ? "REPLY_TOKENS" : "max_tokens in the file";
  const leaves = left > 0 ? `leaves ${count(left)}` : "leaves nothing";
  return {
    file: persona.source,
    reason:
      `the prompt is about ${count(prompt)} tokens (system prompt, examples and post_history, sent with ` +
      `every message); CONTEXT_TOKENS=${budget.contextTokens} minus ${count(reply)} kept for the answer ` +
      `(${replySource}) ${leaves}, and at least ${count(MIN_CONVERSATION_TOKENS)} of that must stay ` +
      `free for the conversation: ${fixesFor(persona)}`,
  };
}

/** A persona that fits, but leaves the conversation less than WARN_BELOW_CONVERSATION_SHARE of the window. */
export interface PromptRoomWarning {
  promptTokens: number;
  replyTokens: number;
  conversationTokens: number;
  contextTokens: number;
  /** One line naming the persona, the numbers and the fix. */
  message: string;
}

/** The warning for a persona that fits (promptFitProblem found nothing) but leaves little room. */
export function promptRoomWarning(persona: Persona, budget: PromptBudget): PromptRoomWarning | undefined {
  const promptTokens = fixedPromptTokens(persona);
  const replyTokens = persona.maxTokens ?? budget.replyTokens;
  const { contextTokens } = budget;
  const conversationTokens = contextTokens - replyTokens - promptTokens;
  if (conversationTokens >= contextTokens * WARN_BELOW_CONVERSATION_SHARE) return undefined;
  const replySource = persona.maxTokens === undefined ? "REPLY_TOKENS" : "max_tokens in the file";
  const message =
    `persona "${persona.name}" (${persona.source}): the prompt is about ${count(promptTokens)} tokens and ` +
    `${count(replyTokens)} are kept for the answer (${replySource}), which leaves ${count(conversationTokens)} ` +
    `of CONTEXT_TOKENS=${contextTokens} for the conversation, less than a quarter: it forgets earlier ` +
    `messages soon; ${fixesFor(persona)}`;
  return { promptTokens, replyTokens, conversationTokens, contextTokens, message };
}

function fixesFor(persona: Persona): string {
  const fixes = [
    "shorten the system prompt or the examples",
    ...(persona.maxTokens === undefined ? [] : ["lower max_tokens"]),
    "raise CONTEXT_TOKENS",
  ];
  return `${fixes.slice(0, -1).join(", ")} or ${fixes.at(-1)}`;
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}
