/**
 * Forgetting one person (`/forget-me`, `npm run data -- forget`): their turns in every history of
 * the platform and the answers to them (the store's forgetAuthor), the ratings they gave, the
 * exchange records of their questions (with the ratings others gave those answers, which rate a
 * record that no longer exists), their `/feedback` pointers and the persona chosen for their DM.
 * Found by their pseudonym, computed again from platform and id: no record names them. Nobody
 * else's records are touched.
 */
import type { ForgetCounts } from "../core/learning.js";
import type { ConversationStore } from "../store/conversation-store.js";
import { EXCHANGE_PREFIX, exchangeSchema, keys, RATING_PREFIX, ratingSchema } from "./feedback-records.js";
import type { Pseudonyms } from "./pseudonym.js";

interface PersonRecords {
  /** Store keys to delete, with what each counts as. */
  ratings: string[];
  exchanges: { key: string; id: string; messageKeys: string[] }[];
  pointers: string[];
  /** Ratings by others of the person's exchanges: deleted with them, not counted as the person's. */
  dependentRatings: string[];
  bindings: string[];
}

async function findRecords(
  store: ConversationStore,
  pseudonyms: Pseudonyms,
  platform: string,
  userId: string,
): Promise<PersonRecords> {
  const person = await pseudonyms.of(platform, userId);
  const found: PersonRecords = {
    ratings: [],
    exchanges: [],
    pointers: [],
    dependentRatings: [],
    bindings: [],
  };
  const theirExchanges = new Set<string>();
  for (const { key, value } of await store.listRecords(EXCHANGE_PREFIX)) {
    const exchange = exchangeSchema.safeParse(value);
    if (!exchange.success || exchange.data.asker !== person) continue;
    theirExchanges.add(exchange.data.id);
    found.exchanges.push({
      key,
      id: exchange.data.id,
      messageKeys: exchange.data.messageIds.map((id) => keys.message(exchange.data.platform, id)),
    });
  }
  for (const { key, value } of await store.listRecords(RATING_PREFIX)) {
    const rating = ratingSchema.safeParse(value);
    if (!rating.success) continue;
    if (rating.data.rater === person) found.ratings.push(key);
    else if (theirExchanges.has(rating.data.exchange)) found.dependentRatings.push(key);
  }
  found.pointers = (await store.listRecords(keys.lastPrefix(person))).map((record) => record.key);
  const dmBinding = `conversation:${platform}:dm:${userId}`;
  if ((await store.getBinding(dmBinding)) !== undefined) found.bindings.push(dmBinding);
  return found;
}

/** What forgetting would delete, without the history turns (counting those is the deletion's scan). */
export async function previewForget(
  store: ConversationStore,
  pseudonyms: Pseudonyms,
  platform: string,
  userId: string,
): Promise<Omit<ForgetCounts, "turns" | "conversations">> {
  const found = await findRecords(store, pseudonyms, platform, userId);
  return {
    ratings: found.ratings.length,
    exchanges: found.exchanges.length,
    bindings: found.bindings.length,
  };
}

export async function forgetPerson(
  store: ConversationStore,
  pseudonyms: Pseudonyms,
  platform: string,
  userId: string,
): Promise<ForgetCounts> {
  const found = await findRecords(store, pseudonyms, platform, userId);
  const { turns, conversations } = await store.forgetAuthor(`${platform}:`, userId);
  const recordKeys = [
    ...found.ratings,
    ...found.dependentRatings,
    ...found.exchanges.flatMap((exchange) => [exchange.key, ...exchange.messageKeys]),
    ...found.pointers,
  ];
  for (const key of recordKeys) await store.deleteRecord(key);
  for (const binding of found.bindings) await store.setBinding(binding, undefined);
  return {
    turns,
    conversations,
    ratings: found.ratings.length,
    exchanges: found.exchanges.length,
    bindings: found.bindings.length,
  };
}
