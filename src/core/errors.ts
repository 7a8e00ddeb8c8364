/**
 * Coded errors and the one place user-facing error text lives. Every failure a user can see maps to
 * one short line here; the cause goes to the log, never to the chat.
 */
import { isModelError, type ModelErrorCode } from "../model/chat-model.js";

const modelErrorLines: Record<ModelErrorCode, string> = {
  unauthorized:
    "⚠️ The model server refused troupe's credentials. An admin can find the fix in the bot's log.",
  unavailable: "⚠️ The model server isn't answering right now. Please try again in a moment.",
  "rate-limited": "⚠️ The model is busy right now. Please try again in a few seconds.",
  timeout: "⚠️ The model took too long to answer. Please try again.",
  "context-overflow": "⚠️ This conversation is too long for the model. Use `reset` to start fresh.",
  // Every provider: a model not pulled on Ollama, not served by the server, or a file that will not load.
  "model-missing":
    "⚠️ The model isn't available: it is missing or cannot be loaded. An admin can find the fix in the bot's log.",
  "bad-response": "⚠️ The model sent a broken answer. Please try again.",
};

/** The one line a user sees for a failure. */
export function userMessageFor(error: unknown): string {
  if (isModelError(error)) return modelErrorLines[error.code];
  return "⚠️ Something went wrong on my side. It has been logged; please try again.";
}

/** Structured fields for the log line that goes with a user-facing failure. */
export function logFieldsFor(error: unknown): Record<string, unknown> {
  if (isModelError(error)) {
    return { code: error.code, status: error.status, err: error };
  }
  return { code: "internal", err: error };
}

export const texts = {
  interruptedNote: "_(interrupted: the model stopped mid-answer)_",
  emptyMessage: "Say something and I'll answer. Type `help` to see what I can do.",
  emptyAnswer: "_(the model returned an empty answer; try rephrasing)_",
  lengthNote: "_(cut short: the answer reached its length limit)_",
  messageCut: (originalChars: number, keptChars: number) =>
    `_(Your message was too long for the model: I read the first ${keptChars.toLocaleString("en")} of ${originalChars.toLocaleString("en")} characters.)_`,
  storeOutage: (displayName: string) =>
    `_(My memory is unavailable right now: **${displayName}** answers, without earlier messages or saved persona choices, until it is back.)_`,
  unknownPersona: (name: string, available: string[]) =>
    `There's no persona called \`${name}\`. Available: ${available.map((n) => `\`${n}\``).join(", ")}.`,
} as const;
