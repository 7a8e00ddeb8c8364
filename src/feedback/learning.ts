/**
 * The Learning port core calls (src/core/learning.ts), over the store's records: each completed
 * answer is kept as an exchange record (the prompt as sent, the answer, who asked as a pseudonym)
 * with the history's TTL, findable by the platform ids of its messages (reactions) and as the
 * person's last answer in the conversation (`/feedback`). A rating is one record per person per
 * answer, so a change of mind overwrites it; withdrawing a reaction deletes it only when it is
 * still that reaction's rating.
 */
import { randomUUID } from "node:crypto";
import type { Learning, RateOutcome, Rating } from "../core/learning.js";
import type { Platform } from "../core/message.js";
import type { ConversationStore } from "../store/conversation-store.js";
import {
  type ExchangeRecord,
  exchangeSchema,
  keys,
  pointerSchema,
  ratingSchema,
} from "./feedback-records.js";
import { forgetPerson, previewForget } from "./forget.js";
import { createPseudonyms, type Pseudonyms } from "./pseudonym.js";

/** How long `/forget-me confirm` may follow `/forget-me`. */
export const FORGET_CONFIRM_MS = 5 * 60_000;

export interface LearningOptions {
  /** HISTORY_TTL_DAYS: exchanges and ratings live as long as histories do. */
  ttlMs: number;
  now?: () => number;
}

export interface StoreLearning extends Learning {
  readonly pseudonyms: Pseudonyms;
}

export function createLearning(store: ConversationStore, options: LearningOptions): StoreLearning {
  const pseudonyms = createPseudonyms(store);
  const now = options.now ?? Date.now;
  const { ttlMs } = options;

  async function readExchange(pointerKey: string): Promise<ExchangeRecord | undefined> {
    const pointer = pointerSchema.safeParse(await store.getRecord(pointerKey));
    if (!pointer.success) return undefined;
    const exchange = exchangeSchema.safeParse(await store.getRecord(keys.exchange(pointer.data)));
    return exchange.success ? exchange.data : undefined;
  }

  async function rate(
    exchange: ExchangeRecord,
    person: string,
    rating: Rating,
    comment: string | undefined,
  ): Promise<RateOutcome> {
    const key = keys.rating(exchange.id, person);
    const before = ratingSchema.safeParse(await store.getRecord(key));
    await store.putRecord(
      key,
      {
        exchange: exchange.id,
        rater: person,
        rating,
        ...(comment === undefined ? {} : { comment }),
        at: now(),
      },
      ttlMs,
    );
    return before.success ? "replaced" : "rated";
  }

  return {
    pseudonyms,

    async answered(answered) {
      const { message } = answered;
      const id = randomUUID();
      const asker = await pseudonyms.of(message.platform, message.author.id);
      const conversation = await pseudonyms.hashOf(message.conversationId);
      const record: ExchangeRecord = {
        id,
        platform: message.platform,
        conversation,
        asker,
        persona: answered.persona,
        ...(answered.model === undefined ? {} : { model: answered.model }),
        messages: answered.messages.map(({ role, content }) => ({ role, content })),
        answer: answered.answer,
        speakers: [...answered.speakers],
        messageIds: [...answered.messageIds],
        at: answered.at,
        ...(answered.order === undefined ? {} : { order: answered.order }),
      };
      // One store operation for the record and its pointers: a pointer whose record is missing
      // (a failure part-way) reads as no answer, as a missing pointer does.
      await store.putRecords(
        [
          { key: keys.exchange(id), value: record },
          ...record.messageIds.map((messageId) => ({
            key: keys.message(message.platform, messageId),
            value: id,
          })),
          { key: keys.last(asker, conversation), value: id },
        ],
        ttlMs,
      );
    },

    async react(reaction) {
      const exchange = await readExchange(keys.message(reaction.platform, reaction.messageId));
      if (exchange === undefined) return "no-answer";
      const person = await pseudonyms.of(reaction.platform, reaction.userId);
      if (!reaction.removed) return rate(exchange, person, reaction.rating, undefined);
      const key = keys.rating(exchange.id, person);
      const current = ratingSchema.safeParse(await store.getRecord(key));
      // Taking back 👍 after changing to 👎 leaves the 👎.
      if (!current.success || current.data.rating !== reaction.rating) return "no-answer";
      await store.deleteRecord(key);
      return "withdrawn";
    },

    async rateLast(message, rating, comment) {
      const person = await pseudonyms.of(message.platform, message.author.id);
      const conversation = await pseudonyms.hashOf(message.conversationId);
      const exchange = await readExchange(keys.last(person, conversation));
      if (exchange === undefined) return "no-answer";
      return rate(exchange, person, rating, comment);
    },

    async previewForget(platform: Platform, userId: string) {
      const preview = await previewForget(store, pseudonyms, platform, userId);
      const person = await pseudonyms.of(platform, userId);
      await store.putRecord(keys.forgetPending(person), { at: now() }, FORGET_CONFIRM_MS);
      return preview;
    },

    async confirmForget(platform: Platform, userId: string) {
      const person = await pseudonyms.of(platform, userId);
      const pendingKey = keys.forgetPending(person);
      if ((await store.getRecord(pendingKey)) === undefined) return undefined;
      await store.deleteRecord(pendingKey);
      return forgetPerson(store, pseudonyms, platform, userId);
    },
  };
}
