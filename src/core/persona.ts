/**
 * A persona: a lightweight adapter over the one base model: a system prompt, sampling settings,
 * examples, a greeting. Only the type lives in core; the file format (schema, parser) and reading
 * the folder live in src/personas/.
 */
export interface PersonaExample {
  user: string;
  assistant: string;
}

/** One lorebook entry (front matter `lore:`, a card's `character_book` entry). */
export interface LoreEntry {
  keys: string[];
  secondaryKeys: string[];
  /** With secondary keys: one of them must appear as well. */
  selective: boolean;
  content: string;
  /** Always in the prompt. */
  constant: boolean;
  enabled: boolean;
  /** Order among the entries that fired: lower first. */
  insertionOrder: number;
  /** When the token budget is short, lower priority is dropped first. */
  priority: number;
  caseSensitive: boolean;
  wholeWords: boolean;
  useRegex: boolean;
  position: "before_char" | "after_char";
  name?: string;
  comment?: string;
  id?: string | number;
  extensions?: Record<string, unknown>;
}

export interface LoreBook {
  /** Recent messages searched for keys. */
  scanDepth: number;
  /** The most tokens fired entries may add to one prompt. */
  tokenBudget: number;
  recursiveScanning: boolean;
  entries: LoreEntry[];
  name?: string;
  description?: string;
  extensions?: Record<string, unknown>;
}

export interface Persona {
  name: string;
  displayName: string;
  description: string;
  /** As written: a picture's URL, or a path relative to the persona file. */
  avatar?: string;
  /**
   * The picture's file name in PERSONAS_DIR/avatars, when `avatar:` names a file there: platforms
   * take pictures by URL only, so it is shown once PUBLIC_URL publishes that folder.
   */
  avatarFile?: string;
  emoji?: string;
  greeting?: string;
  systemPrompt: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  examples: PersonaExample[];
  postHistory?: string;
  tags: string[];
  /** A derived model over the same base (e.g. an Ollama model built FROM the base with a LoRA). */
  model?: string;
  /**
   * Set when the persona file records a `compile` (`compiled:`): `current` when the file's prompt
   * material is what was compiled into `model`, so the prompt is not sent again each turn. A stale
   * compile (the file was edited since) answers on the base model with the prompt sent as before.
   */
  compiled?: { model: string; current: boolean };
  /** A LoRA adapter (GGUF) over the base model, as an absolute path (file `adapter:`, relative there). */
  adapter?: string;
  /** Lorebook entries that join the prompt when their keys come up. */
  lore?: LoreBook;
  /** Fields from an imported character that troupe has no use for, kept so nothing is lost. */
  extensions?: Record<string, unknown>;
  /** Files and folders it answers from (front matter `knowledge:`), as written: relative to `source`'s folder. */
  knowledge?: string[];
  /** Where the persona came from, for messages: a file path. */
  source: string;
}

/** The personas available right now. Implemented by src/personas/ (hot-reloaded from files). */
export interface PersonaCatalog {
  list(): Persona[];
  get(name: string): Persona | undefined;
}
