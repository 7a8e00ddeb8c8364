/**
 * Our messages as node-llama-cpp chat history, measured with the model's own chat template and
 * tokenizer, and made to fit the context.
 *
 * Why measure here: given a prompt longer than the context, node-llama-cpp's context shift quietly
 * drops whole messages, the new user message included, and the model then answers a question it
 * never saw. So the oldest turns are dropped here instead, never a system message or the last
 * message, and a prompt whose essentials alone do not fit is a `context-overflow` error.
 */
import type { ChatHistoryItem, ChatWrapper, Tokenizer } from "node-llama-cpp";
import { type ChatMessage, ModelError } from "../chat-model.js";

export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  return messages.map((message): ChatHistoryItem => {
    if (message.role === "system") return { type: "system", text: message.content };
    if (message.role === "user") return { type: "user", text: message.content };
    return { type: "model", response: [message.content] };
  });
}

/** Tokens of the prompt the model reads: the template applied, up to the start of its answer. */
export function countPromptTokens(
  history: ChatHistoryItem[],
  wrapper: ChatWrapper,
  tokenizer: Tokenizer,
): number {
  const { contextText } = wrapper.generateContextState({
    chatHistory: [...history, { type: "model", response: [] }],
  });
  return contextText.tokenize(tokenizer).length;
}

export interface FittedPrompt {
  history: ChatHistoryItem[];
  promptTokens: number;
  droppedMessages: number;
}

/**
 * Drops the oldest non-system messages (never the last one), a question together with its answer,
 * until the prompt leaves `reserve` tokens of the context free for the answer.
 */
export function fitToContext(
  history: ChatHistoryItem[],
  count: (history: ChatHistoryItem[]) => number,
  contextSize: number,
  reserve: number,
): FittedPrompt {
  const limit = contextSize - reserve;
  let current = history;
  let promptTokens = count(current);
  let droppedMessages = 0;
  while (promptTokens > limit) {
    const oldest = current.findIndex((item, index) => item.type !== "system" && index < current.length - 1);
    if (oldest < 0) {
      throw new ModelError(
        "context-overflow",
        `the prompt needs ${promptTokens} tokens without any history, but the embedded model's context holds ` +
          `${contextSize} (CONTEXT_TOKENS) with ${reserve} kept for the answer`,
      );
    }
    // A question goes with its answer: a reply left without its question would break the
    // user/assistant alternation strict chat templates require.
    const dropped = new Set([oldest]);
    const next = current.findIndex((item, index) => index > oldest && item.type !== "system");
    if (next >= 0 && next < current.length - 1 && current[next]?.type === "model") dropped.add(next);
    current = current.filter((_, index) => !dropped.has(index));
    droppedMessages += dropped.size;
    promptTokens = count(current);
  }
  return { history: current, promptTokens, droppedMessages };
}
