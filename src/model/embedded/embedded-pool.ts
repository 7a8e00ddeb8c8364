/**
 * The context sequences of the one loaded model, lent to one generation at a time. Waiters are served
 * strictly in arrival order, and a released sequence goes straight to the longest waiter, so a busy
 * conversation cannot starve the others (the bot already runs one request per conversation at once).
 */
export interface SlotPool<T> {
  /** Resolves with a free slot; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<T>;
  release(slot: T): void;
  /** Requests waiting for a slot. */
  readonly waiting: number;
}

interface Waiter<T> {
  resolve(slot: T): void;
  reject(reason: unknown): void;
}

export function createSlotPool<T>(slots: readonly T[]): SlotPool<T> {
  const free = [...slots];
  const waiters: Waiter<T>[] = [];
  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      const slot = free.shift();
      if (slot !== undefined) return Promise.resolve(slot);
      return new Promise<T>((resolve, reject) => {
        const onAbort = (): void => {
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          reject(signal?.reason);
        };
        const waiter: Waiter<T> = {
          resolve(value) {
            signal?.removeEventListener("abort", onAbort);
            resolve(value);
          },
          reject,
        };
        waiters.push(waiter);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    release(slot) {
      const next = waiters.shift();
      if (next) next.resolve(slot);
      else free.push(slot);
    },
    get waiting() {
      return waiters.length;
    },
  };
}
