/**
 * An idle timer for one model stream, shared by the providers.
 *
 * Why: neither client guards a stream that stops mid-way. The ollama client has no timeout at all,
 * and the openai SDK's `timeout` is cleared once the response headers arrive. So each stream gets a
 * signal of its own that aborts when the caller aborts, or when nothing arrived for `idleTimeoutMs`
 * (counted from the start, so a server that never answers is caught too).
 */
export interface IdleTimer {
  /** Pass this to the request: it aborts on the caller's abort or on idleness. */
  readonly signal: AbortSignal;
  /** True once the timer (not the caller) aborted the request. */
  readonly timedOut: boolean;
  /** True once the caller's own signal aborted. */
  readonly callerAborted: boolean;
  /** Something arrived, or the consumer asked for more: restart the countdown. */
  touch(): void;
  /** Stop counting while the consumer holds a part: a slow reader is not a silent server. */
  pause(): void;
  /** Stop the timer and unlink from the caller's signal. Safe to call twice. */
  dispose(): void;
  /**
   * Abort the request for the consumer, who stopped reading early (neither `timedOut` nor
   * `callerAborted`), and dispose.
   */
  abort(): void;
}

export function createIdleTimer(idleTimeoutMs: number, callerSignal?: AbortSignal): IdleTimer {
  const controller = new AbortController();
  let timedOut = false;
  let paused = false;
  let disposed = false;

  // Abort without a reason: clients then see a standard `AbortError` (a custom reason would be
  // rethrown as is, and the openai SDK only ends a stream quietly on an `AbortError`).
  const onCallerAbort = (): void => {
    clearTimeout(timer);
    controller.abort();
  };
  const onIdle = (): void => {
    // Held by the consumer: not the server's silence. The next touch starts a new countdown.
    if (paused || disposed || controller.signal.aborted) return;
    timedOut = true;
    controller.abort();
  };
  function dispose(): void {
    if (disposed) return;
    disposed = true;
    clearTimeout(timer);
    callerSignal?.removeEventListener("abort", onCallerAbort);
  }
  // One timer per stream, restarted with refresh() on every part: a stream touches it once per
  // chunk, and clearing and creating a timer each time cost more than the rest of the timer's work.
  const timer: NodeJS.Timeout = setTimeout(onIdle, idleTimeoutMs);

  if (callerSignal?.aborted) {
    clearTimeout(timer);
    controller.abort();
  } else {
    callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  }

  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    get callerAborted() {
      return callerSignal?.aborted === true;
    },
    touch() {
      if (disposed || controller.signal.aborted) return;
      paused = false;
      // Also re-arms a timer that fired while paused.
      timer.refresh();
    },
    pause() {
      paused = true;
    },
    dispose,
    abort() {
      dispose();
      if (!controller.signal.aborted) controller.abort();
    },
  };
}
