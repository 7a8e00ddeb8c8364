/**
 * Turns callbacks (node-llama-cpp's `onTextChunk`) into an async iterable. The producer never waits
 * for the reader: the engine keeps generating while a slow reader catches up, and text is small.
 */
export interface TextQueue extends AsyncIterable<string> {
  push(text: string): void;
  /** No more text; the iteration ends after what is queued. */
  close(): void;
  /** The iteration throws `error` after what is queued. */
  fail(error: unknown): void;
}

export function createTextQueue(): TextQueue {
  const queued: string[] = [];
  let closed = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  return {
    push(text) {
      queued.push(text);
      notify();
    },
    close() {
      closed = true;
      notify();
    },
    fail(error) {
      failure = { error };
      notify();
    },
    async *[Symbol.asyncIterator]() {
      while (true) {
        const text = queued.shift();
        if (text !== undefined) {
          yield text;
          continue;
        }
        if (failure) throw failure.error;
        if (closed) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}
