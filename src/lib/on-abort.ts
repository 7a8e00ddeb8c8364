/**
 * `onAbort(signal, listener)`: run `listener` when `signal` aborts, with an unsubscribe that costs
 * O(1). Node's EventTarget walks its whole listener list on every add and remove (it looks for a
 * duplicate), so many waits on one long-lived signal (the shutdown deadline every answer's writes
 * race against) made each new wait cost as much as all the others together: under a burst of
 * Slack answers that was 6% of the process's CPU. Here each signal gets one real listener and a Set
 * behind it. Like `addEventListener`, nothing fires for a signal that has already aborted: callers
 * check `signal.aborted` first.
 */
const watchers = new WeakMap<AbortSignal, Set<{ listener: () => void }>>();

export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) return () => {};
  let entries = watchers.get(signal);
  if (entries === undefined) {
    const created = new Set<{ listener: () => void }>();
    entries = created;
    watchers.set(signal, created);
    signal.addEventListener(
      "abort",
      () => {
        watchers.delete(signal);
        // A snapshot: a listener added while these run belongs to an aborted signal and never fires.
        for (const entry of [...created]) entry.listener();
        created.clear();
      },
      { once: true },
    );
  }
  // An object per call: the same function registered twice is two registrations, each removable.
  const entry = { listener };
  const registered = entries;
  registered.add(entry);
  return () => {
    registered.delete(entry);
  };
}
