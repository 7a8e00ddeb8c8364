/**
 * Reciprocal rank fusion: keyword and vector results merged by rank, not by score, because BM25
 * and cosine distances are on scales that cannot be added. Each list gives an item 1/(K + rank);
 * an item both searches found near the top wins. K = 60 is the usual constant (Cormack et al.):
 * it keeps one list's first place from outweighing agreement between the two.
 */
export const RRF_K = 60;

export interface Fused<Item> {
  item: Item;
  score: number;
  /** 1-based rank in each input list where the item appeared, in list order (undefined: absent). */
  ranks: (number | undefined)[];
}

export function fuseRanks<Item>(
  lists: readonly (readonly Item[])[],
  keyOf: (item: Item) => string | number,
  limit: number,
): Fused<Item>[] {
  const fused = new Map<string | number, Fused<Item>>();
  lists.forEach((list, listIndex) => {
    list.forEach((item, position) => {
      const key = keyOf(item);
      let entry = fused.get(key);
      if (entry === undefined) {
        entry = { item, score: 0, ranks: lists.map(() => undefined) };
        fused.set(key, entry);
      }
      entry.score += 1 / (RRF_K + position + 1);
      entry.ranks[listIndex] = position + 1;
    });
  });
  return [...fused.values()].sort((a, b) => b.score - a.score).slice(0, limit);
}
