import { StoreError } from "./conversation-store.js";
import { errorText } from "./store-error-text.js";

/**
 * Runs one store operation with a deadline and turns every failure into a StoreError naming it.
 * A backend that hangs (a stopped Redis, a locked file) must not hang a chat reply: after
 * `timeoutMs` the caller gets a StoreError and `signal` is aborted so queued work can skip itself.
 */
export async function bounded<T>(
  what: string,
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new StoreError(`${what} timed out after ${timeoutMs} ms: the store did not answer`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    // Promise.race subscribes to `work`, so a late rejection after the deadline is handled, not fatal.
    return await Promise.race([work(controller.signal), deadline]);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    // The log appends the cause's own message; only one without words (an AggregateError from a
    // refused dual-stack connect) is said here, or the line would read "failed: X: X".
    const said = error instanceof Error && error.message !== "";
    throw new StoreError(said ? `${what} failed` : `${what} failed: ${errorText(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
