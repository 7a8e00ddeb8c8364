/**
 * One case's answer, produced by the bot's own answer path (core's answerPrompt): the same
 * prompt (system prompt, examples, history, post_history, via buildPrompt), the same sampling and
 * persona model, the same think filter. The case's history is handed in as the conversation's
 * history; the sink only collects. A model that fails is an outcome with its cause, not a throw.
 */
import { answerPrompt } from "../core/answer.js";
import { userMessageFor } from "../core/errors.js";
import type { IncomingMessage } from "../core/message.js";
import type { Persona } from "../core/persona.js";
import type { PostOptions, ReplySink, StreamResult } from "../core/reply-sink.js";
import { createStoreOutage } from "../core/store-outage.js";
import type { Logger } from "../lib/logger.js";
import type { ChatModel } from "../model/chat-model.js";
import type { ConversationStore, Turn } from "../store/conversation-store.js";
import type { EvalCase } from "./eval-case.js";

export interface AnswerSettings {
  contextTokens: number;
  replyTokens: number;
}

export interface AnswerDependencies {
  model: ChatModel;
  /** Where the bot's answer path records the exchange; a memory store: nothing is kept. */
  store: ConversationStore;
  logger: Logger;
  settings: AnswerSettings;
}

export type CaseAnswer = { ok: true; text: string } | { ok: false; cause: string };

/** Collects the answer and what the bot would have posted beside it. */
class CollectingSink implements ReplySink {
  result: StreamResult | undefined;
  readonly errors: string[] = [];
  async post(text: string, options?: PostOptions): Promise<void> {
    if (options?.error) this.errors.push(text);
  }
  async stream(deltas: AsyncIterable<string>): Promise<StreamResult> {
    let text = "";
    try {
      for await (const delta of deltas) text += delta;
    } catch (error) {
      this.result = { text, error };
      return this.result;
    }
    this.result = { text };
    return this.result;
  }
}

let conversations = 0;

export async function answerCase(
  dependencies: AnswerDependencies,
  persona: Persona,
  evalCase: EvalCase,
): Promise<CaseAnswer> {
  // Each case is its own conversation, a direct one (no speaker labels), as at the terminal.
  conversations += 1;
  const message: IncomingMessage = {
    platform: "console",
    conversationId: `console:eval-${process.pid}-${conversations}`,
    channelId: `eval-${conversations}`,
    author: { id: "eval", name: "eval", canManageChannel: false, canManageServer: false, runsTroupe: true },
    text: evalCase.prompt,
    isDirect: true,
    attachments: [],
  };
  const history: Turn[] = evalCase.history.flatMap((turn, index) => [
    { role: "user" as const, content: turn.user, at: index },
    { role: "assistant" as const, content: turn.assistant, persona: persona.name, at: index },
  ]);
  const sink = new CollectingSink();
  try {
    await answerPrompt(
      { ...dependencies, outage: createStoreOutage() },
      {
        message,
        prompt: evalCase.prompt,
        persona,
        sink,
        order: Date.now(),
        history: Promise.resolve(history),
        signal: new AbortController().signal,
      },
    );
  } catch (error) {
    return { ok: false, cause: userMessageFor(error, "operator") };
  }
  const result = sink.result;
  if (result?.error !== undefined) return { ok: false, cause: userMessageFor(result.error, "operator") };
  const posted = sink.errors[0];
  if (posted !== undefined) return { ok: false, cause: posted };
  if (result === undefined || result.text.trim() === "") {
    return { ok: false, cause: "the model returned an empty answer" };
  }
  return { ok: true, text: result.text };
}
