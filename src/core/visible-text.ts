/**
 * The model's stream as the text a person may see: thinking stripped, how the model finished
 * recorded for the answer's log line, the sources line after a whole answer, and the bot's stop
 * turned into AnswerStopped so the sink marks what it showed. Kept apart from answer.ts, which
 * decides what to do with the outcome.
 */
import type { ChatPart, FinishReason, TokenUsage } from "../model/chat-model.js";
import { createThinkFilter } from "./think-filter.js";

export interface StreamOutcome {
  finish?: { reason: FinishReason; usage: TokenUsage };
}

/**
 * Thrown into the sink's stream when the bot stops mid-answer, so the sink marks the text so far
 * as interrupted, as it does when a model breaks off.
 */
export class AnswerStopped extends Error {
  constructor() {
    super("troupe is stopping");
    this.name = "AnswerStopped";
  }
}

/**
 * Model parts → the text a user may see: thinking stripped, the finish part recorded, `ending`
 * (the sources line) after a finished, non-empty answer. A stream the
 * bot's stop cut short ends by throwing AnswerStopped, so the sink marks what it showed.
 */
export async function* visibleText(
  parts: AsyncIterable<ChatPart>,
  outcome: StreamOutcome,
  signal: AbortSignal,
  ending?: string,
): AsyncGenerator<string> {
  const filter = createThinkFilter();
  let said = false;
  try {
    for await (const part of parts) {
      if (part.type === "text-delta") {
        const text = filter.push(part.text);
        said ||= text.trim().length > 0;
        if (text.length > 0) yield text;
      } else {
        outcome.finish = { reason: part.reason, usage: part.usage };
      }
    }
  } catch (error) {
    // A provider that throws on the abort instead of ending quietly: still the stop, not a failure.
    if (signal.aborted && outcome.finish === undefined) throw new AnswerStopped();
    throw error;
  }
  const rest = filter.flush();
  said ||= rest.trim().length > 0;
  if (rest.length > 0) yield rest;
  if (signal.aborted && outcome.finish === undefined) throw new AnswerStopped();
  // The sources line follows a whole answer only: a cut one ends with its interrupted note.
  if (ending !== undefined && said && outcome.finish !== undefined) yield ending;
}
