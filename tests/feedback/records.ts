/** Reading feedback records back from a store in tests, parsed by the same schemas the code uses. */
import {
  EXCHANGE_PREFIX,
  type ExchangeRecord,
  exchangeSchema,
  RATING_PREFIX,
  type RatingRecord,
  ratingSchema,
} from "../../src/feedback/feedback-records.js";
import type { ConversationStore } from "../../src/store/conversation-store.js";

export async function exchangesIn(store: ConversationStore): Promise<ExchangeRecord[]> {
  return (await store.listRecords(EXCHANGE_PREFIX)).map((record) => exchangeSchema.parse(record.value));
}

export async function ratingsIn(store: ConversationStore): Promise<RatingRecord[]> {
  return (await store.listRecords(RATING_PREFIX)).map((record) => ratingSchema.parse(record.value));
}

/** Polls an async check until it holds; false after `withinMs`. No timing is asserted. */
export async function eventuallyAsync(check: () => Promise<boolean>, withinMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
