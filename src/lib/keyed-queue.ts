/**
 * Runs work for one key strictly one after another (two tasks that arrive together never
 * interleave and neither is lost), while different keys run concurrently. The store's `inOrder`
 * keys it by person and conversation (memory, SQLite; under Redis's ticket lock it orders this
 * process's own calls), SQLite's one connection by a single key. In-process only: across instances
 * sharing Redis, src/store/redis-order.ts keeps the order.
 */
export interface KeyedQueue {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void>;
  /** Keys with work queued or running. */
  readonly activeKeys: number;
}

export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();

  return {
    run(key, task) {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(task, task);
      // The tail never rejects, so one failed task does not poison the ones behind it.
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      // Only the last task of a key removes it, so the map does not grow with every key ever seen.
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    async idle() {
      while (tails.size > 0) await Promise.all([...tails.values()]);
    },
    get activeKeys() {
      return tails.size;
    },
  };
}
