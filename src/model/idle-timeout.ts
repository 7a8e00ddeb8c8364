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
}

export function createIdleTimer(idleTimeoutMs: number, callerSignal?: AbortSignal): IdleTimer {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;

  // Abort without a reason: clients then see a standard `AbortError` (a custom reason would be
  // rethrown as is, and the openai SDK only ends a stream quietly on an `AbortError`).
  const onCallerAbort = (): void => {
    clearTimeout(timer);
    controller.abort();
  };
  const arm = (): void => {
    clearTimeout(timer);
    if (controller.signal.aborted) return;
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, idleTimeoutMs);
  };

  if (callerSignal?.aborted) {
    controller.abort();
  } else {
    callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
    arm();
  }

  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    get callerAborted() {
      return callerSignal?.aborted === true;
    },
    touch: arm,
    pause() {
      clearTimeout(timer);
    },
    dispose() {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    },
  };
}
