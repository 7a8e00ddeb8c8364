/**
 * A persona's lorebook in the front matter (`lore:`): entries that join the prompt when one of
 * their keys appears in the recent messages. The shape mirrors a Character Card's `character_book`
 * field for field (snake_case, the same names), so a card's book imports without loss and exports
 * back unchanged; what a card adds that troupe does not use stays in `extensions`.
 *
 * Two spellings are accepted: `lore:` as a plain list of entries (the quick way to write one by
 * hand) or as a book object with settings and `entries:`. Both become one LoreBook.
 */
import { z } from "zod";
import type { LoreBook, LoreEntry } from "../../core/persona.js";

export const LORE_DEFAULT_SCAN_DEPTH = 4;
export const LORE_DEFAULT_TOKEN_BUDGET = 512;

const extensionsSchema = z.record(z.string(), z.unknown());

const loreEntrySchema = z
  .object({
    keys: z.array(z.string().min(1)).default([]),
    content: z.string().min(1, "must not be empty"),
    name: z.string().optional(),
    comment: z.string().optional(),
    id: z.union([z.string(), z.number()]).optional(),
    secondary_keys: z.array(z.string().min(1)).optional(),
    /** With secondary keys: one of those must appear too. */
    selective: z.boolean().optional(),
    /** Always in the prompt, keys or not. */
    constant: z.boolean().optional(),
    enabled: z.boolean().optional(),
    /** Order in the prompt among the entries that fired: lower first. */
    insertion_order: z.number().optional(),
    /** When the token budget is short, lower priority goes first. */
    priority: z.number().optional(),
    case_sensitive: z.boolean().optional(),
    whole_words: z.boolean().optional(),
    use_regex: z.boolean().optional(),
    position: z.enum(["before_char", "after_char"]).optional(),
    extensions: extensionsSchema.optional(),
  })
  .strict()
  .refine((entry) => entry.constant === true || entry.keys.length > 0, {
    message: "needs at least one key in `keys` (or `constant: true`)",
    path: ["keys"],
  });

const loreBookSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    /** How many recent messages are searched for keys. */
    scan_depth: z.number().int().min(1).max(100).optional(),
    /** The most tokens the fired entries may add to one prompt. */
    token_budget: z.number().int().min(1).optional(),
    recursive_scanning: z.boolean().optional(),
    extensions: extensionsSchema.optional(),
    entries: z.array(loreEntrySchema),
  })
  .strict();

export const loreFieldSchema = z.union([z.array(loreEntrySchema), loreBookSchema]);
export type LoreField = z.infer<typeof loreFieldSchema>;

/** Front matter `lore:` → the core's LoreBook, defaults filled in. */
export function toLoreBook(field: LoreField): LoreBook {
  const book: z.infer<typeof loreBookSchema> = Array.isArray(field) ? { entries: field } : field;
  const entries: LoreEntry[] = book.entries.map((entry, index) => ({
    keys: entry.keys,
    secondaryKeys: entry.secondary_keys ?? [],
    selective: entry.selective ?? false,
    content: entry.content,
    constant: entry.constant ?? false,
    enabled: entry.enabled ?? true,
    insertionOrder: entry.insertion_order ?? index,
    priority: entry.priority ?? 0,
    caseSensitive: entry.case_sensitive ?? false,
    wholeWords: entry.whole_words ?? true,
    useRegex: entry.use_regex ?? false,
    position: entry.position ?? "after_char",
    ...(entry.name === undefined ? {} : { name: entry.name }),
    ...(entry.comment === undefined ? {} : { comment: entry.comment }),
    ...(entry.id === undefined ? {} : { id: entry.id }),
    ...(entry.extensions === undefined ? {} : { extensions: entry.extensions }),
  }));
  const settings = book;
  return {
    scanDepth: settings.scan_depth ?? LORE_DEFAULT_SCAN_DEPTH,
    tokenBudget: settings.token_budget ?? LORE_DEFAULT_TOKEN_BUDGET,
    recursiveScanning: settings.recursive_scanning ?? false,
    entries,
    ...(settings.name === undefined ? {} : { name: settings.name }),
    ...(settings.description === undefined ? {} : { description: settings.description }),
    ...(settings.extensions === undefined ? {} : { extensions: settings.extensions }),
  };
}
