/**
 * Persona + history → model messages within the token budget. Order: system prompt, few-shot
 * examples, as much recent history as fits, the post-history reminder, the new message. The oldest
 * turns go first; the system prompt and the new message never go (an over-long new message is cut
 * with a visible note instead).
 */
import type { ChatMessage } from "../model/chat-model.js";
import type { Turn } from "../store/conversation-store.js";
import type { Persona } from "./persona.js";
import { estimateMessageTokens, truncateToTokens } from "./tokens.js";

export interface PromptInput {
  persona: Persona;
  history: readonly Turn[];
  /** The new message, already labelled with its speaker where that matters. */
  message: string;
  contextTokens: number;
  /** Room kept free for the answer. */
  replyTokens: number;
  /** Prefix user turns with the speaker's name: several people share the conversation. */
  labelSpeakers: boolean;
}

export interface BuiltPrompt {
  messages: ChatMessage[];
  /** History turns that did not fit. */
  droppedTurns: number;
  /** Set when the new message itself was cut to fit. */
  cut?: { originalChars: number; keptChars: number };
  estimatedTokens: number;
}

/** The least room the new message keeps, so a huge system prompt cannot squeeze it to nothing. */
const MIN_MESSAGE_TOKENS = 64;
const CUT_MARKER = "\n\n[… the rest of this message was cut: it was too long to fit]";

export function speakerLabel(
  turn: Pick<Turn, "role" | "content" | "author">,
  labelSpeakers: boolean,
): string {
  if (!labelSpeakers || turn.role !== "user" || turn.author === undefined) return turn.content;
  return `${turn.author.name}: ${turn.content}`;
}

export function buildPrompt(input: PromptInput): BuiltPrompt {
  const { persona } = input;
  const budget = Math.max(input.contextTokens - input.replyTokens, MIN_MESSAGE_TOKENS * 2);

  const head: ChatMessage[] = [{ role: "system", content: persona.systemPrompt }];
  for (const example of persona.examples) {
    head.push({ role: "user", content: example.user }, { role: "assistant", content: example.assistant });
  }
  const tail: ChatMessage[] = [];
  if (persona.postHistory !== undefined) tail.push({ role: "system", content: persona.postHistory });

  const fixedTokens = sumTokens(head) + sumTokens(tail);
  let message = input.message;
  let cut: BuiltPrompt["cut"];
  const roomForMessage = Math.max(budget - fixedTokens, MIN_MESSAGE_TOKENS);
  if (estimateMessageTokens(message) > roomForMessage) {
    const kept = truncateToTokens(message, roomForMessage - estimateMessageTokens(CUT_MARKER));
    cut = { originalChars: message.length, keptChars: kept.length };
    message = kept + CUT_MARKER;
  }
  const newMessage: ChatMessage = { role: "user", content: message };

  let remaining = budget - fixedTokens - estimateMessageTokens(message);
  const kept: ChatMessage[] = [];
  let index = input.history.length - 1;
  for (; index >= 0; index--) {
    const turn = input.history[index];
    if (turn === undefined) break;
    const content = speakerLabel(turn, input.labelSpeakers);
    const cost = estimateMessageTokens(content);
    if (cost > remaining) break;
    remaining -= cost;
    kept.push({ role: turn.role, content });
  }
  kept.reverse();
  // A reply whose question was trimmed away reads as the persona talking to itself: drop it too.
  let orphanReplies = 0;
  while (kept[0]?.role === "assistant") {
    kept.shift();
    orphanReplies++;
  }

  const messages = mergeSameRole([...head, ...kept, ...tail, newMessage]);
  return {
    messages,
    droppedTurns: index + 1 + orphanReplies,
    cut,
    estimatedTokens: budget - remaining,
  };
}

function sumTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const message of messages) total += estimateMessageTokens(message.content);
  return total;
}

/**
 * History can hold two user turns in a row (an answer that failed is never stored), and some chat
 * templates reject a role repeated; joining them keeps the prompt valid. System messages stay apart.
 */
function mergeSameRole(messages: ChatMessage[]): ChatMessage[] {
  const merged: ChatMessage[] = [];
  for (const message of messages) {
    const last = merged[merged.length - 1];
    if (last && last.role === message.role && message.role !== "system") {
      last.content = `${last.content}\n\n${message.content}`;
    } else {
      merged.push({ ...message });
    }
  }
  return merged;
}
