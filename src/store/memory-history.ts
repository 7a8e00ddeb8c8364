/**
 * The history log of memory:// — a Map of conversations, each an array of turns kept sorted by
 * (order, insertion). Every operation is synchronous, so each is atomic in this one process. An
 * append is a binary search and a splice near the end of an array bounded by maxTurns; expiry is
 * checked on every access and swept periodically, so abandoned conversations do not pile up.
 */
import { type HistoryLimits, type HistoryLog, LEGACY_ORDER, turnsToForget } from "./history-log.js";

interface StoredTurn {
  order: number;
  json: string;
}

interface Conversation {
  turns: StoredTurn[];
  /** When the turns expire (ms since the epoch). */
  expires: number;
  /** The last reset's order key, remembered until resetExpires. */
  resetBefore?: number;
  resetExpires?: number;
}

export function createMemoryHistory(limits: HistoryLimits, now: () => number = Date.now): HistoryLog {
  const conversations = new Map<string, Conversation>();

  /** The live record of a conversation: expired turns and an expired watermark are gone. */
  function live(conversationId: string): Conversation | undefined {
    const conversation = conversations.get(conversationId);
    if (conversation === undefined) return undefined;
    const at = now();
    if (conversation.expires <= at) conversation.turns = [];
    if (conversation.resetExpires !== undefined && conversation.resetExpires <= at) {
      conversation.resetBefore = undefined;
      conversation.resetExpires = undefined;
    }
    if (conversation.turns.length === 0 && conversation.resetBefore === undefined) {
      conversations.delete(conversationId);
      return undefined;
    }
    return conversation;
  }

  return {
    async read(conversationId, before) {
      const turns = live(conversationId)?.turns ?? [];
      const end = before === undefined ? turns.length : firstAtOrAbove(turns, before);
      return turns.slice(0, end).map((turn) => turn.json);
    },

    async append(conversationId, jsonTurns, order) {
      const conversation = live(conversationId) ?? { turns: [], expires: 0 };
      if (conversation.resetBefore !== undefined && order < conversation.resetBefore) return;
      const { turns } = conversation;
      if (order === LEGACY_ORDER && turns[0]?.order === LEGACY_ORDER) return;
      // After every block already at this order: a block stays together, blocks keep arrival order.
      turns.splice(firstAbove(turns, order), 0, ...jsonTurns.map((json) => ({ order, json })));
      if (turns.length > limits.maxTurns) turns.splice(0, turns.length - limits.maxTurns);
      conversation.expires = now() + limits.historyTtlMs;
      conversations.set(conversationId, conversation);
    },

    async clear(conversationId, order) {
      const conversation = live(conversationId) ?? { turns: [], expires: 0 };
      conversation.turns.splice(0, firstAtOrAbove(conversation.turns, order));
      conversation.resetBefore = Math.max(conversation.resetBefore ?? order, order);
      conversation.resetExpires = now() + limits.historyTtlMs;
      conversations.set(conversationId, conversation);
    },

    async forgetAuthor(conversationPrefix, authorId) {
      let turns = 0;
      let touched = 0;
      for (const conversationId of [...conversations.keys()]) {
        if (!conversationId.startsWith(conversationPrefix)) continue;
        const conversation = live(conversationId);
        if (conversation === undefined) continue;
        const picked = new Set(turnsToForget(conversation.turns, authorId));
        if (picked.size === 0) continue;
        conversation.turns = conversation.turns.filter((_, index) => !picked.has(index));
        turns += picked.size;
        touched++;
      }
      return { turns, conversations: touched };
    },

    async sweep() {
      for (const conversationId of [...conversations.keys()]) live(conversationId);
    },
  };
}

/** The index of the first turn whose order is >= `order`. */
function firstAtOrAbove(turns: readonly StoredTurn[], order: number): number {
  return search(turns, (turn) => turn.order >= order);
}

/** The index of the first turn whose order is > `order`. */
function firstAbove(turns: readonly StoredTurn[], order: number): number {
  return search(turns, (turn) => turn.order > order);
}

/** Binary search for the first turn meeting a condition that, once true, stays true. */
function search(turns: readonly StoredTurn[], meets: (turn: StoredTurn) => boolean): number {
  let low = 0;
  let high = turns.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const turn = turns[middle];
    if (turn !== undefined && meets(turn)) high = middle;
    else low = middle + 1;
  }
  return low;
}
