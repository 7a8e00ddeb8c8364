/**
 * What the service decorators know about the event being handled, carried across the bot, the
 * model and the sink by AsyncLocalStorage: the bot decorator opens it when an event arrives, and
 * the model call and the platform writes made for that event read it (core never passes it, and
 * need not: the keyed queue chains each event's work with `then` inside the event's own call, so
 * the context follows the work through the queue).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Span } from "@opentelemetry/api";
import type { Platform } from "../../core/message.js";

export interface AnswerContext {
  platform: Platform;
  conversationId: string;
  /** When the bot got the event (ms since the epoch): the start of every duration measured. */
  receivedAt: number;
  /** Set when the answer starts streaming (the sink is told who speaks). */
  persona?: string;
  /** The answer's span, once its model call started (traces on only). */
  span?: Span;
}

const storage = new AsyncLocalStorage<AnswerContext>();

export function runInAnswerContext<T>(context: AnswerContext, work: () => T): T {
  return storage.run(context, work);
}

/** The event this code runs for; undefined outside one (the start-up model check). */
export function currentAnswerContext(): AnswerContext | undefined {
  return storage.getStore();
}
