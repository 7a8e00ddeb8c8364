/**
 * Coded errors and the one place user-facing error text lives. Every failure a user can see maps to
 * one short line here; the cause goes to the log, never to a platform's chat. The person at the
 * terminal chat is the exception: they run troupe, so a failure only they can fix (credentials, a
 * missing model, a bug) tells them the cause and fix in the line itself rather than sending them to
 * a log they may have turned off (LOG_LEVEL=silent) or never opened.
 */
import { isModelError, type ModelErrorCode } from "../model/chat-model.js";
import type { IncomingMessage } from "./message.js";

/** Who reads a failure line: someone on a platform, or the operator who runs troupe. */
export type Reader = "user" | "operator";

/** Whoever runs troupe (the mapping says so: console-to-incoming.ts) is the operator; everyone else a user. */
export function readerOf(message: Pick<IncomingMessage, "author">): Reader {
  return message.author.runsTroupe === true ? "operator" : "user";
}

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

/** For the operator: the lines above that point to the log, with the cause and fix instead. */
const operatorLines: Partial<Record<ModelErrorCode, string>> = {
  unauthorized: "⚠️ The model server refused troupe's credentials:",
  "model-missing": "⚠️ The model isn't available:",
};

/** The one line a user sees for a failure. */
export function userMessageFor(error: unknown, reader: Reader = "user"): string {
  if (isModelError(error)) {
    const operatorLine = operatorLines[error.code];
    // A ModelError's message says what troupe makes of it and how to fix it (chat-model.ts).
    if (reader === "operator" && operatorLine !== undefined)
      return `${operatorLine} ${sentence(error.message)}`;
    return modelErrorLines[error.code];
  }
  if (reader === "operator")
    return `⚠️ Something went wrong on my side: ${sentence(withCauses(error))} Please try again.`;
  return "⚠️ Something went wrong on my side. It has been logged; please try again.";
}

/**
 * The error's message and its causes' (`…clearing the history failed: The client is offline`): the
 * store's errors say what troupe was doing, their cause what went wrong. A cause already quoted is
 * not repeated.
 */
function withCauses(error: unknown): string {
  let text = "";
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined; depth++) {
    const message = current instanceof Error ? current.message || current.name : String(current);
    if (!text.includes(message)) text = text === "" ? message : `${text}: ${message}`;
    current = current instanceof Error ? current.cause : undefined;
  }
  return text;
}

/** One line, ending in a full stop. */
function sentence(text: string): string {
  const line = text.trim().replace(/\s*\n\s*/g, " ");
  return /[.!?]$/.test(line) ? line : `${line}.`;
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
