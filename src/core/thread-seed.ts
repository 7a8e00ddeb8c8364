/**
 * A late-joined thread's earlier messages as history: the turns they become and where they go in
 * the arrival order. Kept apart from bot.ts, which only decides when a thread is seeded.
 */
import { nextArrivalOrder } from "../lib/arrival-order.js";
import type { Turn } from "../store/conversation-store.js";
import type { ThreadMessage } from "./message.js";

/**
 * Where the messages go: at the oldest one's time, before every exchange (they happened first); a
 * reset made after them keeps them out (its watermark is later).
 */
export function seedOrder(messages: readonly ThreadMessage[]): number {
  const oldest = Math.min(...messages.map((message) => message.at));
  return Number.isFinite(oldest) && oldest > 0 ? oldest : nextArrivalOrder();
}

export function threadMessageToTurn(message: ThreadMessage): Turn {
  return message.fromBot
    ? { role: "assistant", content: message.text, at: message.at }
    : { role: "user", content: message.text, author: message.author, at: message.at };
}
