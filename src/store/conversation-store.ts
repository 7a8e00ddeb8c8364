/**
 * The conversation store contract: ordered, bounded history and persona bindings, with a TTL, and
 * per-key ordering of work that holds across every instance sharing the store.
 * Implemented once over keyv (src/store/keyv-store.ts) with one history log per backend
 * (memory-history, sqlite-history, redis-history), so SQLite, memory and Redis share the code.
 *
 * History is a list of blocks. A block is the turns of one exchange (a question, or a question
 * and its answer), stored at its order key: when its question arrived (see lib/arrival-order.ts).
 * Blocks are read back sorted by order key, each kept together in the order it was given, so
 * answers that finish out of order still leave the history in question order.
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

export interface AppendOptions {
  /** Where the block goes: its question's arrival order key. Default: a key taken now. */
  order?: number;
}

export interface HistoryOptions {
  /** Only blocks whose order key is below this: the conversation as it stood when a question arrived. */
  before?: number;
}

export interface ClearOptions {
  /** The reset's arrival order key. Default: a key taken now. */
  order?: number;
}

export interface InOrderOptions {
  /** Stops waiting for the turn (the work then runs at once): the bot is stopping. */
  signal?: AbortSignal;
}

export interface ConversationStore {
  /** Sorted by (order key, position in its block). An unknown conversation has an empty history. */
  getHistory(conversationId: string, options?: HistoryOptions): Promise<Turn[]>;
  /**
   * Stores `turns` as one block at `order`, atomically (no read-modify-write: concurrent appends
   * from any number of processes are all kept), keeps only the newest `maxTurns` by order, and
   * refreshes the TTL. A block whose order is below the conversation's last reset is dropped.
   */
  appendTurns(conversationId: string, turns: Turn[], options?: AppendOptions): Promise<void>;
  /**
   * Forgets every block whose order is below the reset's and records the reset's order as a
   * watermark for the history's TTL: an exchange whose question arrived before the reset but
   * whose answer finishes after it is then not appended (a reset wins over answers in flight).
   */
  clearHistory(conversationId: string, options?: ClearOptions): Promise<void>;
  /**
   * Runs `work` after every earlier call with the same key has finished, in the order of the calls,
   * across every process sharing the store (Redis) or within this process (memory, SQLite).
   * Bounded on Redis (redis-order.ts): a turn held by a crashed instance is skipped when its lease
   * lapses (15 s), a wait never outlasts 5 minutes or the signal, and an outage falls back to
   * in-process order. In-process, a wait lasts as long as the work before it. `work`'s own result
   * and failure are passed through.
   */
  inOrder<T>(key: string, work: () => Promise<T>, options?: InOrderOptions): Promise<T>;
  /** A binding key names a scope: see `bindingKeys` in core/binding.ts. */
  getBinding(key: string): Promise<string | undefined>;
  /** Several bindings in one round trip, in the order of `keys`: a message reads every scope at once. */
  getBindings(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** `undefined` removes the binding. Bindings do not expire. */
  setBinding(key: string, persona: string | undefined): Promise<void>;
  /**
   * Small JSON records kept beside the conversations (feedback: answered exchanges, ratings, the
   * pseudonym secret), under their own key space. `ttlMs` unset: kept until deleted.
   */
  putRecord(key: string, value: unknown, ttlMs?: number): Promise<void>;
  /**
   * Several records, all with `ttlMs`, as one store operation (one deadline; their writes issued
   * together): an answer keeps its exchange and the pointers to it at once. Not atomic: a failure
   * may leave some written, so a reader must treat a pointer to a missing record as absent.
   */
  putRecords(records: readonly StoredRecord[], ttlMs?: number): Promise<void>;
  getRecord(key: string): Promise<unknown>;
  deleteRecord(key: string): Promise<void>;
  /** Every live record whose key starts with `prefix` (a scan: for rare work, not per message). */
  listRecords(prefix: string): Promise<StoredRecord[]>;
  /**
   * Removes `authorId`'s user turns, and the answers to them, from every conversation whose id
   * starts with `conversationPrefix` (a platform: `discord:`); everyone else's turns stay. Returns
   * how many turns went, and from how many conversations.
   */
  forgetAuthor(conversationPrefix: string, authorId: string): Promise<ForgetTurnsResult>;
  /** Records `id` and says whether it was new: for de-duplicating platform events across processes. */
  markSeen(id: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface StoredRecord {
  key: string;
  value: unknown;
}

export interface ForgetTurnsResult {
  turns: number;
  conversations: number;
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
