/**
 * What core asks of "learning from answers" (feedback, forgetting), as a port: the bot hands each
 * completed answer over, forwards reactions, and commands rate and forget through it. The
 * implementation lives in src/feedback/ (over the store contract) and is handed in at start-up, so
 * core stays free of hashing, record formats and scans; without one, answers are simply not kept.
 */
import type { ChatMessage } from "../model/chat-model.js";
import type { IncomingMessage, Platform } from "./message.js";

export type Rating = "good" | "bad";

/** One completed answer, as the model saw it. */
export interface AnsweredExchange {
  message: IncomingMessage;
  persona: string;
  /** The model the persona asked for (undefined: the configured default). */
  model?: string;
  /** The prompt exactly as sent (buildPrompt's messages). */
  messages: readonly ChatMessage[];
  answer: string;
  /** The platform ids of the messages carrying the answer (reactions name one of them). */
  messageIds: readonly string[];
  /** The display names of the people whose turns the prompt labels (for pseudonyms in datasets). */
  speakers: readonly string[];
  at: number;
  /** The question's arrival order key (the bot's): orders exchanges answered in the same millisecond. */
  order?: number;
}

/** A 👍/👎 on a platform message, or its withdrawal. */
export interface Reaction {
  platform: Platform;
  /** The reacted-to message, as `messageIds` names it. */
  messageId: string;
  userId: string;
  rating: Rating;
  removed: boolean;
}

export type RateOutcome = "rated" | "replaced" | "withdrawn" | "no-answer";

export interface ForgetCounts {
  turns: number;
  conversations: number;
  ratings: number;
  exchanges: number;
  bindings: number;
}

/** What `/forget-me` will delete beyond the history turns (those are counted as they go). */
export type ForgetPreview = Omit<ForgetCounts, "turns" | "conversations">;

export interface Learning {
  answered(exchange: AnsweredExchange): Promise<void>;
  /** A reaction; one that is not on a troupe answer is ignored ("no-answer"). */
  react(reaction: Reaction): Promise<RateOutcome>;
  /** `/feedback`: rates the person's last answer in the conversation. */
  rateLast(message: IncomingMessage, rating: Rating, comment?: string): Promise<RateOutcome>;
  /** `/forget-me`: what would go, and a confirmation window opened. */
  previewForget(platform: Platform, userId: string): Promise<ForgetPreview>;
  /** `/forget-me confirm`: deletes, when a preview is pending (else undefined). */
  confirmForget(platform: Platform, userId: string): Promise<ForgetCounts | undefined>;
}
