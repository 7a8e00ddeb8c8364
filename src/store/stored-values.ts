import type { Deserialize, DeserializedData } from "keyv";
import { z } from "zod";
import type { Turn } from "./conversation-store.js";
import { errorText } from "./store-error-text.js";

/**
 * What the store keeps, checked on the way back in: a stored value is outside data (an older
 * version of troupe, another program, a hand edit) and must never crash a reply.
 */

/** One stored turn: each is checked on its own, so one bad turn costs only itself. */
export const turnSchema: z.ZodType<Turn> = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  author: z.object({ id: z.string(), name: z.string() }).optional(),
  persona: z.string().optional(),
  at: z.number(),
});

/** Annotated so a change to `Turn` that the schema does not follow fails to compile. */
/** The whole history as an older troupe stored it under `history:<id>`: read once, to migrate it. */
export const historySchema: z.ZodType<Turn[]> = z.array(turnSchema);

export const bindingSchema: z.ZodType<string> = z.string().min(1);

/** Stands in for a stored value that could not even be parsed, so the reader can log it and move on. */
export class UnreadableValue {
  constructor(readonly reason: string) {}
}

/** The marker for text that is not JSON: the same words wherever a stored value is parsed. */
export function unreadableJson(error: unknown): UnreadableValue {
  return new UnreadableValue(`not valid JSON: ${errorText(error)}`);
}

/**
 * Wraps keyv's deserializer so malformed JSON reads as an UnreadableValue: keyv.get would
 * otherwise throw a SyntaxError that looks exactly like a backend failure.
 */
export function tolerant(deserialize: Deserialize): Deserialize {
  return async <Value>(data: string): Promise<DeserializedData<Value> | undefined> => {
    try {
      return await deserialize<Value>(data);
    } catch (error) {
      // The cast is the point: the marker travels through keyv in place of the value.
      return { value: unreadableJson(error) as Value };
    }
  };
}
