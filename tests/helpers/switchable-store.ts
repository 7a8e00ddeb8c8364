/**
 * An in-memory ConversationStore whose backend can be "unplugged", for the bot's store-fault tests.
 * The real store (keyv over memory, SQLite, Redis) has its own contract suite in tests/store/.
 */
import { type ConversationStore, StoreError, type Turn } from "../../src/store/conversation-store.js";

export interface SwitchableStore extends ConversationStore {
  /** While true every operation rejects, as a store that went away would. */
  down: boolean;
  readonly histories: Map<string, Turn[]>;
  readonly bindings: Map<string, string>;
}

export function createSwitchableStore(maxTurns = 100): SwitchableStore {
  const histories = new Map<string, Turn[]>();
  const bindings = new Map<string, string>();
  const seen = new Set<string>();
  const store: SwitchableStore = {
    down: false,
    histories,
    bindings,
    async getHistory(id) {
      check();
      return structuredClone(histories.get(id) ?? []);
    },
    async appendTurns(id, turns) {
      check();
      histories.set(id, [...(histories.get(id) ?? []), ...structuredClone(turns)].slice(-maxTurns));
    },
    async clearHistory(id) {
      check();
      histories.delete(id);
    },
    async getBinding(key) {
      check();
      return bindings.get(key);
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
    async close() {},
  };
  function check() {
    if (store.down) throw new StoreError("store is down (test)");
  }
  return store;
}
