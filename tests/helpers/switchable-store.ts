/**
 * An in-memory ConversationStore whose backend can be "unplugged", for the bot's store-fault tests.
 * It keeps the contract's order (blocks sorted by order key, the reset watermark, per-key order) in
 * the simplest way; the real store (keyv over memory, SQLite, Redis) has its own contract suite in
 * tests/store/.
 */
import { nextArrivalOrder } from "../../src/lib/arrival-order.js";
import { createKeyedQueue } from "../../src/lib/keyed-queue.js";
import { type ConversationStore, StoreError, type Turn } from "../../src/store/conversation-store.js";

export interface SwitchableStore extends ConversationStore {
  /** While true every operation rejects, as a store that went away would. */
  down: boolean;
  /** Each conversation's turns, sorted as getHistory returns them. A test may seed one (it reads as oldest). */
  readonly histories: Map<string, Turn[]>;
  readonly bindings: Map<string, string>;
}

export function createSwitchableStore(maxTurns = 100): SwitchableStore {
  const histories = new Map<string, Turn[]>();
  /** The order key of each turn in `histories`, index for index. */
  const orders = new Map<string, number[]>();
  const resets = new Map<string, number>();
  const bindings = new Map<string, string>();
  const seen = new Set<string>();
  const records = new Map<string, unknown>();
  const queue = createKeyedQueue();

  /** The turns and their order keys; a history a test seeded has none yet, and counts as oldest. */
  function entries(id: string): { turns: Turn[]; keys: number[] } {
    const turns = histories.get(id) ?? [];
    let keys = orders.get(id);
    if (keys === undefined || keys.length !== turns.length) keys = turns.map(() => 0);
    return { turns, keys };
  }

  const store: SwitchableStore = {
    down: false,
    histories,
    bindings,
    async getHistory(id, options = {}) {
      check();
      const { turns, keys } = entries(id);
      const { before } = options;
      const end = before === undefined ? turns.length : keys.filter((key) => key < before).length;
      return structuredClone(turns.slice(0, end));
    },
    async appendTurns(id, turns, options = {}) {
      check();
      const order = options.order ?? nextArrivalOrder();
      if (order < (resets.get(id) ?? 0) || turns.length === 0) return;
      const { turns: stored, keys } = entries(id);
      let at = keys.findIndex((key) => key > order);
      if (at < 0) at = keys.length;
      const nextTurns = [...stored.slice(0, at), ...structuredClone(turns), ...stored.slice(at)];
      const nextKeys = [...keys.slice(0, at), ...turns.map(() => order), ...keys.slice(at)];
      histories.set(id, nextTurns.slice(-maxTurns));
      orders.set(id, nextKeys.slice(-maxTurns));
    },
    async clearHistory(id, options = {}) {
      check();
      const order = options.order ?? nextArrivalOrder();
      resets.set(id, Math.max(resets.get(id) ?? 0, order));
      const { turns, keys } = entries(id);
      const kept = keys.filter((key) => key >= order).length;
      if (kept === 0) {
        histories.delete(id);
        orders.delete(id);
      } else {
        histories.set(id, turns.slice(-kept));
        orders.set(id, keys.slice(-kept));
      }
    },
    inOrder(key, work) {
      return queue.run(key, work);
    },
    async getBinding(key) {
      check();
      return bindings.get(key);
    },
    async getBindings(keys) {
      check();
      return keys.map((key) => bindings.get(key));
    },
    async setBinding(key, persona) {
      check();
      if (persona === undefined) bindings.delete(key);
      else bindings.set(key, persona);
    },
    async markSeen(id) {
      check();
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    },
    async putRecord(key, value) {
      check();
      records.set(key, structuredClone(value));
    },
    async putRecords(entries) {
      check();
      for (const { key, value } of entries) records.set(key, structuredClone(value));
    },
    async getRecord(key) {
      check();
      return structuredClone(records.get(key));
    },
    async deleteRecord(key) {
      check();
      records.delete(key);
    },
    async listRecords(prefix) {
      check();
      return [...records].filter(([key]) => key.startsWith(prefix)).map(([key, value]) => ({ key, value }));
    },
    // Simpler than the real rule (turnsToForget also drops the answers to the person's turns):
    // the bot's tests only need the person's own turns gone; tests/feedback/ covers the real stores.
    async forgetAuthor(prefix, authorId) {
      check();
      let turns = 0;
      let conversations = 0;
      for (const [id, stored] of histories) {
        if (!id.startsWith(prefix)) continue;
        const kept = stored.filter((turn) => turn.author?.id !== authorId);
        if (kept.length === stored.length) continue;
        turns += stored.length - kept.length;
        conversations++;
        histories.set(id, kept);
        orders.delete(id);
      }
      return { turns, conversations };
    },
    async close() {},
  };
  function check() {
    if (store.down) throw new StoreError("store is down (test)");
  }
  return store;
}
