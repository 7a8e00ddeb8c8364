/**
 * The conversation store contract: bounded history and persona bindings, with a TTL.
 * Implemented once over keyv (src/store/keyv-store.ts) so SQLite, memory and Redis share the code.
 */

export interface Turn {
  role: "user" | "assistant";
  content: string;
  /** Who said it: the display name lets the model tell several people apart. */
  author?: { id: string; name: string };
  /** The persona that spoke (assistant turns). */
  persona?: string;
  /** Milliseconds since the epoch. */
  at: number;
}

export interface ConversationStore {
  /** Oldest first. An unknown conversation has an empty history. */
  getHistory(conversationId: string): Promise<Turn[]>;
  /** Appends, keeps only the newest `maxTurns`, and refreshes the TTL. */
  appendTurns(conversationId: string, turns: Turn[]): Promise<void>;
  clearHistory(conversationId: string): Promise<void>;
  /** A binding key names a scope: see `bindingKeys` in core/binding.ts. */
  getBinding(key: string): Promise<string | undefined>;
  /** `undefined` removes the binding. Bindings do not expire. */
  setBinding(key: string, persona: string | undefined): Promise<void>;
  /** Records `id` and says whether it was new: for de-duplicating platform events across processes. */
  markSeen(id: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface StoreLimits {
  /** How long a conversation's history lives after its last message. */
  historyTtlMs: number;
  /** The newest turns kept per conversation. */
  maxTurns: number;
}

export class StoreError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "StoreError";
  }
}
