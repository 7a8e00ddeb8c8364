/**
 * The limits a persona file is held to, from the configuration: its size (PERSONA_MAX_KB) and the
 * context window its fixed prompt must leave room in (CONTEXT_TOKENS, REPLY_TOKENS). A leaf module
 * so src/config.ts can take the default from here without loading the reader.
 */

/** PERSONA_MAX_KB's default: far above any prompt that leaves room to converse in a usual context. */
export const DEFAULT_PERSONA_MAX_KB = 256;

export interface PromptBudget {
  /** CONTEXT_TOKENS: the model's context window. */
  contextTokens: number;
  /** REPLY_TOKENS: room kept for the answer when the persona sets no max_tokens. */
  replyTokens: number;
}

export interface PersonaFileLimits {
  /** PERSONA_MAX_KB: a larger file is refused unread. */
  maxFileKb: number;
  /** Without it the fixed prompt is not checked against the context window. */
  budget?: PromptBudget;
}
