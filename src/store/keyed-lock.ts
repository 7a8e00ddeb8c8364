/**
 * Runs work for the same key one after another inside this process: appendTurns and the
 * best-effort markSeen are read-modify-write, and two interleaved calls would lose a write.
 */
export type KeyedLock = <T>(key: string, work: () => Promise<T>) => Promise<T>;

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<void>>();
  return async (key, work) => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      // Only the last waiter removes the entry, so the map does not grow with every key ever seen.
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
