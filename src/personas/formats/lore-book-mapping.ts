/**
 * A card's `character_book` ↔ the persona's `lore:`. The two have the same field names, so the map is
 * mostly a copy: fields lore-schema.ts does not know stay out of `lore:` (the whole original book is
 * then kept under `extensions.card`, card-fields.ts), an entry troupe cannot use (no content, no key
 * and not constant) is left out the same way, and values that are the parser's defaults anyway
 * (`enabled: true`, `use_regex: false`, empty `extensions`) are not written. Going back, the fields a
 * card requires are filled in, so `lore:` written as a plain list by hand exports as a valid book.
 */
import { type LoreField, loreFieldSchema } from "../parser/lore-schema.js";
import type { CharacterBook } from "./card-schema.js";

type Json = Record<string, unknown>;

const ENTRY_FIELDS = [
  "keys",
  "content",
  "name",
  "comment",
  "id",
  "secondary_keys",
  "selective",
  "constant",
  "enabled",
  "insertion_order",
  "priority",
  "case_sensitive",
  "whole_words",
  "use_regex",
  "position",
  "extensions",
] as const;
const BOOK_FIELDS = ["name", "description", "scan_depth", "token_budget", "recursive_scanning", "extensions"];

/** The book as `lore:`; undefined when no entry is usable. */
export function bookToLore(book: CharacterBook): LoreField | undefined {
  const entries = book.entries.map(entryToLore).filter((entry) => entry !== undefined);
  if (entries.length === 0) return undefined;
  const settings: Json = {};
  for (const field of BOOK_FIELDS) {
    const value = book[field];
    if (value === undefined || isEmptyRecord(value)) continue;
    // A setting out of troupe's range (scan_depth 0, say) is left to the defaults.
    if (loreFieldSchema.safeParse({ [field]: value, entries: [] }).success) settings[field] = value;
  }
  return { ...settings, entries } as LoreField;
}

function entryToLore(entry: Json): Json | undefined {
  const copy: Json = {};
  for (const field of ENTRY_FIELDS) {
    const value = entry[field];
    if (value === undefined || isEmptyRecord(value)) continue;
    if ((field === "enabled" && value === true) || (field === "use_regex" && value === false)) continue;
    // An empty key (editors leave `""` behind) matches nothing: dropped, the entry kept.
    copy[field] = field === "keys" || field === "secondary_keys" ? withoutEmptyKeys(value) : value;
  }
  return loreFieldSchema.safeParse([copy]).success ? copy : undefined;
}

/** `lore:` as a card's `character_book`, with the fields a V3 card requires. */
export function loreToBook(lore: LoreField | undefined): CharacterBook | undefined {
  if (lore === undefined) return undefined;
  const book: Json = Array.isArray(lore) ? { entries: lore } : { ...lore };
  return withBookDefaults(book as CharacterBook);
}

/** A book with what a card requires filled in: compares a card's book with one troupe would write. */
export function withBookDefaults(book: CharacterBook): CharacterBook {
  return {
    ...book,
    extensions: book.extensions ?? {},
    entries: book.entries.map((entry, index) => ({
      ...entry,
      keys: entry.keys ?? [],
      extensions: entry.extensions ?? {},
      enabled: entry.enabled ?? true,
      insertion_order: entry.insertion_order ?? index,
      use_regex: entry.use_regex ?? false,
    })),
  };
}

function withoutEmptyKeys(value: unknown): unknown {
  return Array.isArray(value) ? value.filter((key) => key !== "") : value;
}

function isEmptyRecord(value: unknown): boolean {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  );
}
