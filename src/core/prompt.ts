/**
 * Persona + history → model messages within the token budget. Order: system prompt, few-shot
 * examples, as much recent history as fits, the post-history reminder, the new message. The oldest
 * turns go first; the system prompt and the new message never go (an over-long new message is cut
 * with a visible note instead).
 *
 * The prompt always alternates: after the system prompt, user and assistant turns take turns,
 * starting and ending with a user turn, whatever the stored history holds (a question whose answer
 * failed, history written by an older version or by two instances at once). Many chat templates
 * (Mistral, Gemma, several llama.cpp and vLLM ones) refuse anything else.
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
  /** Lorebook text that fired for this message (lore.ts). */
  lore?: { before: string; after: string };
  /**
   * Material the answer should draw on (the persona's document passages), as one system message
   * just before the new message. It counts as fixed, like the system prompt: history is trimmed
   * to leave it room, so the caller keeps it within its own share of the budget.
   */
  context?: string;
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

  const inModel = persona.compiled?.current === true;
  const loreBefore = input.lore?.before ?? "";
  const loreAfter = input.lore?.after ?? "";
  const system = inModel ? "" : joinParts([loreBefore, persona.systemPrompt, loreAfter]);
  const head: ChatMessage[] = system === "" ? [] : [{ role: "system", content: system }];
  const examples: ChatMessage[] = (inModel ? [] : persona.examples).flatMap((example) => [
    { role: "user", content: example.user },
    { role: "assistant", content: example.assistant },
  ]);
  // A compiled persona's lore joins the reminder: a leading system message would replace the model's.
  const reminder = joinParts([...(inModel ? [loreBefore, loreAfter] : []), persona.postHistory ?? ""]);
  const tail: ChatMessage[] = [];
  if (input.context !== undefined) tail.push({ role: "system", content: input.context });
  if (reminder !== "") tail.push({ role: "system", content: reminder });
  // Ollama puts the compiled prompt and examples into the context all the same: they count.
  const heldByModel = inModel
    ? estimateMessageTokens(persona.systemPrompt) +
      sumTokens(
        persona.examples.flatMap((example) => [{ content: example.user }, { content: example.assistant }]),
      )
    : 0;

  const fixedTokens = sumTokens(head) + sumTokens(examples) + sumTokens(tail) + heldByModel;
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

  const dialogue = alternate([...examples, ...kept], newMessage);
  // The reminder sits just before the last user turn, which holds the new message.
  const messages = [...head, ...dialogue.slice(0, -1), ...tail, ...dialogue.slice(-1)];
  // Ollama adds a model's own system prompt only when the request does not start with one: a first
  // turn that starts with the reminder carries the persona's prompt itself (its tokens are counted).
  const first = messages[0];
  if (inModel && first?.role === "system") first.content = joinParts([persona.systemPrompt, first.content]);
  return {
    messages,
    droppedTurns: index + 1 + orphanReplies,
    cut,
    estimatedTokens: budget - remaining,
  };
}

function joinParts(parts: readonly string[]): string {
  return parts.filter((part) => part !== "").join("\n\n");
}

function sumTokens(messages: readonly Pick<ChatMessage, "content">[]): number {
  let total = 0;
  for (const message of messages) total += estimateMessageTokens(message.content);
  return total;
}

/** Between two turns joined into one: a Markdown rule, so neither reads as part of the other. */
export const JOINED_TURNS_SEPARATOR = "\n\n---\n\n";

/**
 * User and assistant turns made to alternate, ending with `last` (a user turn). Turns of one role in
 * a row are joined into one, with a rule between them: two user turns in a row are a question whose
 * answer failed (its answer is never stored) and the next one, or several people in a thread, and
 * the model should see all of them, as one message it can answer together; a repeat of the same
 * text (the user retried) is kept once. Empty turns go,
 * and a leading assistant turn goes (a reply without its question). Joining never costs more than
 * the separate turns did: the separator is cheaper than the per-message overhead it replaces.
 */
function alternate(turns: readonly ChatMessage[], last: ChatMessage): ChatMessage[] {
  const result: ChatMessage[] = [];
  for (const turn of [...turns.filter((candidate) => candidate.content.trim().length > 0), last]) {
    const previous = result[result.length - 1];
    if (previous === undefined && turn.role === "assistant") continue;
    if (previous === undefined || previous.role !== turn.role) {
      result.push({ role: turn.role, content: turn.content });
    } else if (!endsWithTurn(previous.content, turn.content)) {
      previous.content = `${previous.content}${JOINED_TURNS_SEPARATOR}${turn.content}`;
    }
  }
  return result;
}

/** Whether `joined` (one turn, or turns joined) already ends with `content`. */
function endsWithTurn(joined: string, content: string): boolean {
  return joined === content || joined.endsWith(`${JOINED_TURNS_SEPARATOR}${content}`);
}
