/**
 * Rated exchanges → fine-tuning records. An exchange is exported once (whatever number of ratings
 * it has), when it belongs to the persona, was answered on or after `since`, and has a rating that
 * matches `rating` (any rating when unset). Each record is the prompt as the model saw it (system
 * prompt, history, the question) plus the answer. People become `Person 1`, `Person 2` in order of
 * first appearance, stable across the whole export (a speaker label `Ada: …` and the name anywhere
 * in the text), and secrets, e-mail addresses, phone and card numbers are masked (mask.ts).
 */

import escapeStringRegexp from "escape-string-regexp";
import type { ConversationStore } from "../store/conversation-store.js";
import {
  EXCHANGE_PREFIX,
  type ExchangeRecord,
  exchangeSchema,
  RATING_PREFIX,
  type RatingRecord,
  ratingSchema,
} from "./feedback-records.js";
import { maskSensitive } from "./mask.js";

export type DatasetFormat = "openai" | "sharegpt";

export interface DatasetFilter {
  persona: string;
  rating?: "good" | "bad";
  /** Milliseconds since the epoch. */
  since?: number;
}

export interface RatedExchange {
  exchange: ExchangeRecord;
  ratings: RatingRecord[];
}

/** Every exchange with at least one rating, with its ratings; unreadable records are skipped. */
export async function readRatedExchanges(store: ConversationStore): Promise<RatedExchange[]> {
  const ratings = new Map<string, RatingRecord[]>();
  for (const { value } of await store.listRecords(RATING_PREFIX)) {
    const rating = ratingSchema.safeParse(value);
    if (rating.success)
      ratings.set(rating.data.exchange, [...(ratings.get(rating.data.exchange) ?? []), rating.data]);
  }
  const rated: RatedExchange[] = [];
  for (const { value } of await store.listRecords(EXCHANGE_PREFIX)) {
    const exchange = exchangeSchema.safeParse(value);
    const its = exchange.success ? ratings.get(exchange.data.id) : undefined;
    if (exchange.success && its !== undefined) rated.push({ exchange: exchange.data, ratings: its });
  }
  // Oldest first: the dataset reads in the order things were said, and pseudonyms follow it. Two
  // answers in one millisecond go in their questions' order (the id alone would be a coin toss).
  return rated.sort(
    (a, b) =>
      a.exchange.at - b.exchange.at ||
      (a.exchange.order ?? 0) - (b.exchange.order ?? 0) ||
      a.exchange.id.localeCompare(b.exchange.id),
  );
}

export function selectExchanges(rated: readonly RatedExchange[], filter: DatasetFilter): ExchangeRecord[] {
  return rated
    .filter(
      ({ exchange, ratings }) =>
        exchange.persona === filter.persona &&
        (filter.since === undefined || exchange.at >= filter.since) &&
        (filter.rating === undefined || ratings.some((rating) => rating.rating === filter.rating)),
    )
    .map(({ exchange }) => exchange);
}

/** Display names → `Person N`, numbered in the order the export meets them. */
export function createPseudonymizer(): (exchange: ExchangeRecord, text: string) => string {
  const numbers = new Map<string, number>();
  return (exchange, text) => {
    const names = [...exchange.speakers].filter((name) => name.trim().length > 0);
    // Numbered by where each first appears in this text, then longest first so "Ada L" beats "Ada".
    const positions = names.map((name) => ({ name, at: text.indexOf(name) }));
    for (const { name } of positions.filter((entry) => entry.at >= 0).sort((a, b) => a.at - b.at))
      if (!numbers.has(name)) numbers.set(name, numbers.size + 1);
    let result = text;
    for (const name of [...names].sort((a, b) => b.length - a.length)) {
      const number = numbers.get(name);
      if (number === undefined) continue;
      result = result.replace(
        new RegExp(`(?<![\\p{L}\\p{N}])${escapeStringRegexp(name)}(?![\\p{L}\\p{N}])`, "gu"),
        `Person ${number}`,
      );
    }
    return result;
  };
}

export interface ChatTurn {
  role: "system" | "user" | "assistant";
  content: string;
}

/** The exchange as turns, cleaned: pseudonyms and masks applied to every turn. */
export function cleanedTurns(
  exchange: ExchangeRecord,
  pseudonymize: (exchange: ExchangeRecord, text: string) => string,
): ChatTurn[] {
  return [...exchange.messages, { role: "assistant" as const, content: exchange.answer }].map((turn) => ({
    role: turn.role,
    content: maskSensitive(pseudonymize(exchange, turn.content)),
  }));
}

const SHAREGPT_ROLES = { system: "system", user: "human", assistant: "gpt" } as const;

/** One JSONL line. */
export function datasetLine(turns: readonly ChatTurn[], format: DatasetFormat): string {
  if (format === "openai") return JSON.stringify({ messages: turns });
  return JSON.stringify({
    conversations: turns.map((turn) => ({ from: SHAREGPT_ROLES[turn.role], value: turn.content })),
  });
}

export function datasetLines(exchanges: readonly ExchangeRecord[], format: DatasetFormat): string[] {
  const pseudonymize = createPseudonymizer();
  return exchanges.map((exchange) => datasetLine(cleanedTurns(exchange, pseudonymize), format));
}

/** `--stats`: rated exchanges per persona and rating (an exchange rated both ways counts in both). */
export function datasetStats(rated: readonly RatedExchange[]): string {
  const rows = new Map<string, { good: number; bad: number; exchanges: number }>();
  for (const { exchange, ratings } of rated) {
    const row = rows.get(exchange.persona) ?? { good: 0, bad: 0, exchanges: 0 };
    row.exchanges++;
    if (ratings.some((rating) => rating.rating === "good")) row.good++;
    if (ratings.some((rating) => rating.rating === "bad")) row.bad++;
    rows.set(exchange.persona, row);
  }
  const lines = ["persona\tgood\tbad\trated exchanges"];
  for (const [persona, row] of [...rows].sort(([a], [b]) => a.localeCompare(b)))
    lines.push(`${persona}\t${row.good}\t${row.bad}\t${row.exchanges}`);
  return `${lines.join("\n")}\n`;
}
