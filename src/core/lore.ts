/**
 * Which lorebook entries join one prompt. Pure: the recent messages and the book in, the entries'
 * text (split by position) and their labels out. Rules, in the order they apply:
 *
 * - disabled entries never fire; constant entries always do; any other fires when one of its keys
 *   appears in the last `scanDepth` messages (the new one included), and, when `selective` with
 *   secondary keys, one secondary key appears as well;
 * - with `recursiveScanning`, the fired entries' content is scanned too, for a bounded number of
 *   passes (a book whose entries trigger each other in a ring ends);
 * - over `tokenBudget`, the higher priority is kept (ties: lower insertion order); an entry that
 *   does not fit is skipped and a smaller, lower one may still fit;
 * - the kept entries are placed by insertion order (lower first), before or after the persona's
 *   system prompt.
 *
 * Keys match as plain text (case-insensitive unless the entry says otherwise), as whole words by
 * default, with Unicode-aware edges: a "word" character is any letter, digit or mark in any script,
 * so "cat" does not fire on "category" nor "кот" on "котёнок". A `use_regex` key is a JavaScript
 * regex, written `/pattern/flags` as V3 cards do (or a bare pattern). A regex that does not compile
 * is skipped (the entry's other keys still count) and reported once per process, so the caller's
 * log is not flooded by every message.
 */
import type { LoreBook, LoreEntry } from "./persona.js";
import { estimateTokens } from "./tokens.js";

/** Scans that recursion adds after the first: bounded, so entries that trigger each other end. */
export const LORE_MAX_RECURSION_PASSES = 3;
/** Between two entries' texts in the system message. */
export const LORE_SEPARATOR = "\n\n";

export interface LoreProblem {
  entry: string;
  key: string;
  reason: string;
}

export interface LoreSelection {
  /** Text placed before the persona's system prompt ("" when none). */
  before: string;
  /** Text placed after it ("" when none). */
  after: string;
  /** Labels of the entries that made it into the prompt, in prompt order. */
  fired: string[];
  /** Labels of entries whose keys matched but which did not fit the book's token budget. */
  overBudget: string[];
  /** Estimated tokens of before + after. */
  tokens: number;
  /** Keys that could not be used (bad regex), reported for the first time by this call. */
  problems: LoreProblem[];
}

const emptySelection: Omit<LoreSelection, "problems"> = {
  before: "",
  after: "",
  fired: [],
  overBudget: [],
  tokens: 0,
};

/** An entry's name for logs: its name, else its id, else its first key. */
export function loreEntryLabel(entry: LoreEntry, index: number): string {
  return (
    entry.name ?? (entry.id === undefined ? undefined : String(entry.id)) ?? entry.keys[0] ?? `#${index}`
  );
}

/**
 * `recentMessages`: oldest first, the new message last. Only the last `book.scanDepth` are read.
 */
export function selectLore(book: LoreBook | undefined, recentMessages: readonly string[]): LoreSelection {
  const problems: LoreProblem[] = [];
  if (book === undefined || book.entries.length === 0) return { ...emptySelection, problems };
  const scanned = recentMessages.slice(-book.scanDepth).join("\n");

  const candidates = book.entries
    .map((entry, index) => ({ entry, index, label: loreEntryLabel(entry, index) }))
    .filter((candidate) => candidate.entry.enabled);
  const fired = new Set<number>();
  for (const candidate of candidates) if (candidate.entry.constant) fired.add(candidate.index);

  let text = scanned;
  for (let pass = 0; ; pass++) {
    const newlyFired = candidates.filter(
      (candidate) =>
        !fired.has(candidate.index) && entryMatches(candidate.entry, candidate.label, text, problems),
    );
    for (const candidate of newlyFired) fired.add(candidate.index);
    // Pass 0 goes on even when nothing new fired: constant entries' content may trigger others.
    if (!book.recursiveScanning || pass >= LORE_MAX_RECURSION_PASSES) break;
    if (pass > 0 && newlyFired.length === 0) break;
    const contents = candidates
      .filter((candidate) => fired.has(candidate.index))
      .map((candidate) => candidate.entry.content);
    text = [scanned, ...contents].join("\n");
  }

  const matched = candidates.filter((candidate) => fired.has(candidate.index));
  const byPriority = [...matched].sort(
    (a, b) => b.entry.priority - a.entry.priority || a.entry.insertionOrder - b.entry.insertionOrder,
  );
  const kept: typeof matched = [];
  const overBudget: string[] = [];
  let spent = 0;
  for (const candidate of byPriority) {
    const cost = estimateTokens(candidate.entry.content + LORE_SEPARATOR);
    if (spent + cost > book.tokenBudget) {
      overBudget.push(candidate.label);
      continue;
    }
    spent += cost;
    kept.push(candidate);
  }
  kept.sort((a, b) => a.entry.insertionOrder - b.entry.insertionOrder || a.index - b.index);
  const before = kept.filter((candidate) => candidate.entry.position === "before_char");
  const after = kept.filter((candidate) => candidate.entry.position === "after_char");
  const beforeText = before.map((candidate) => candidate.entry.content).join(LORE_SEPARATOR);
  const afterText = after.map((candidate) => candidate.entry.content).join(LORE_SEPARATOR);
  return {
    before: beforeText,
    after: afterText,
    fired: [...before, ...after].map((candidate) => candidate.label),
    overBudget,
    tokens:
      (beforeText === "" ? 0 : estimateTokens(beforeText)) +
      (afterText === "" ? 0 : estimateTokens(afterText)),
    problems,
  };
}

function entryMatches(entry: LoreEntry, label: string, text: string, problems: LoreProblem[]): boolean {
  if (!entry.keys.some((key) => keyMatches(entry, label, key, text, problems))) return false;
  if (!entry.selective || entry.secondaryKeys.length === 0) return true;
  return entry.secondaryKeys.some((key) => keyMatches(entry, label, key, text, problems));
}

function keyMatches(
  entry: LoreEntry,
  label: string,
  key: string,
  text: string,
  problems: LoreProblem[],
): boolean {
  const pattern = entry.useRegex ? regexKey(key, entry.caseSensitive) : plainKey(key, entry);
  const compiled = compile(pattern);
  if (compiled instanceof RegExp) return compiled.test(text);
  if (compiled.firstTime) problems.push({ entry: label, key, reason: compiled.reason });
  return false;
}

interface Pattern {
  source: string;
  flags: string;
}

/** A letter, digit, mark or connector in any script: what a whole word may not touch. */
const WORD_CHARACTER = "[\\p{L}\\p{N}\\p{M}\\p{Pc}]";

function plainKey(key: string, entry: LoreEntry): Pattern {
  const escaped = key.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
  // The edges apply only where the key itself starts or ends with a word character: "C++" still
  // matches before a space, and "#tag" after one.
  const startsWord = new RegExp(`^${WORD_CHARACTER}`, "u").test(key);
  const endsWord = new RegExp(`${WORD_CHARACTER}$`, "u").test(key);
  const source = entry.wholeWords
    ? `${startsWord ? `(?<!${WORD_CHARACTER})` : ""}${escaped}${endsWord ? `(?!${WORD_CHARACTER})` : ""}`
    : escaped;
  return { source, flags: entry.caseSensitive ? "u" : "iu" };
}

/** `/pattern/flags` as written in V3 cards, or a bare pattern (case from the entry). */
function regexKey(key: string, caseSensitive: boolean): Pattern {
  const slashed = /^\/(.+)\/([a-z]*)$/su.exec(key);
  if (slashed?.[1] !== undefined) {
    // g and y make test() stateful (lastIndex): one match tells all that is needed.
    return { source: slashed[1], flags: (slashed[2] ?? "").replace(/[gy]/g, "") };
  }
  return { source: key, flags: caseSensitive ? "" : "i" };
}

type Compiled = RegExp | { reason: string; firstTime: boolean };

/** Compiled keys, shared by every persona (a bounded cache: books are small, messages are many). */
const compiledKeys = new Map<string, RegExp | { reason: string }>();
const MAX_COMPILED_KEYS = 4096;

function compile(pattern: Pattern): Compiled {
  const cacheKey = `${pattern.flags}/${pattern.source}`;
  const known = compiledKeys.get(cacheKey);
  if (known instanceof RegExp) return known;
  if (known !== undefined) return { reason: known.reason, firstTime: false };
  if (compiledKeys.size >= MAX_COMPILED_KEYS) compiledKeys.clear();
  try {
    const regex = new RegExp(pattern.source, pattern.flags);
    compiledKeys.set(cacheKey, regex);
    return regex;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    compiledKeys.set(cacheKey, { reason });
    return { reason, firstTime: true };
  }
}
