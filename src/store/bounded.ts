import { StoreError } from "./conversation-store.js";
import { errorText } from "./store-error-text.js";

/**
 * Runs one store operation with a deadline and turns every failure into a StoreError naming it.
 * A backend that hangs (a stopped Redis, a locked file) must not hang a chat reply: after
 * `timeoutMs` the caller gets a StoreError and `signal` is aborted so queued work can skip itself.
 *
 * Cheap per operation, because a message makes several (claim, bindings, history, append,
 * records): no timer, race or promise of its own (every operation with the same timeout shares one
 * timer, see Deadlines), and an AbortController only for a `work` that declares the `signal`
 * parameter: one that takes none cannot read it, and AbortSignals are costly to make in Node.
 */
export function bounded<T>(
  what: string,
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const controller = work.length > 0 ? new AbortController() : undefined;
    const deadline = deadlinesFor(timeoutMs).add(() => {
      const error = new StoreError(`${what} timed out after ${timeoutMs} ms: the store did not answer`);
      controller?.abort(error);
      reject(error);
    });
    let operation: Promise<T>;
    try {
      operation = work(controller?.signal ?? UNREAD_SIGNAL);
    } catch (error) {
      operation = Promise.reject(error);
    }
    // Subscribed at once, so a late rejection after the deadline is handled, not fatal.
    operation.then(
      (value) => {
        deadline.settle();
        resolve(value);
      },
      (error: unknown) => {
        deadline.settle();
        reject(asStoreError(what, error));
      },
    );
  });
}

function asStoreError(what: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  // The log appends the cause's own message; only one without words (an AggregateError from a
  // refused dual-stack connect) is said here, or the line would read "failed: X: X".
  const said = error instanceof Error && error.message !== "";
  return new StoreError(said ? `${what} failed` : `${what} failed: ${errorText(error)}`, { cause: error });
}

/** Handed to a `work` that declares no parameter: it never reads it. */
const UNREAD_SIGNAL = new AbortController().signal;

interface Deadline {
  /** The operation ended in time: its deadline no longer fires. */
  settle(): void;
}

interface Waiting extends Deadline {
  /** performance.now() at which `expire` runs. */
  at: number;
  /** Undefined once settled (or expired): nothing of a finished operation is kept alive. */
  expire: (() => void) | undefined;
}

/**
 * The deadlines of every operation in flight with one timeout length. They fall due in the order
 * the operations started, so they wait in a list, oldest first, and one timer is armed for the
 * oldest one still unsettled; a settled operation is only marked, and dropped from the list when
 * the timer reaches it (or when none is left in flight).
 */
class Deadlines {
  private waiting: (Waiting | undefined)[] = [];
  private head = 0;
  private unsettled = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  add(expire: () => void): Deadline {
    const entry: Waiting = {
      at: performance.now() + this.timeoutMs,
      expire,
      settle: () => {
        if (entry.expire === undefined) return;
        entry.expire = undefined;
        this.ended();
      },
    };
    this.waiting.push(entry);
    this.unsettled++;
    this.timer ??= setTimeout(this.due, this.timeoutMs);
    return entry;
  }

  private ended(): void {
    if (--this.unsettled > 0) return;
    // Nothing in flight: no timer keeps the process alive, and the list starts again empty.
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting = [];
    this.head = 0;
  }

  private readonly due = (): void => {
    this.timer = undefined;
    const now = performance.now();
    for (let entry = this.waiting[this.head]; entry !== undefined; entry = this.waiting[this.head]) {
      if (entry.expire !== undefined && entry.at > now) {
        clearTimeout(this.timer); // armed by an `add` from inside an `expire`, if any
        this.timer = setTimeout(this.due, Math.max(1, Math.ceil(entry.at - now)));
        break;
      }
      this.waiting[this.head++] = undefined;
      const { expire } = entry;
      if (expire === undefined) continue;
      entry.expire = undefined;
      this.unsettled--;
      expire();
    }
    if (this.unsettled === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.waiting = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
  };
}

const deadlines = new Map<number, Deadlines>();

function deadlinesFor(timeoutMs: number): Deadlines {
  let found = deadlines.get(timeoutMs);
  if (found === undefined) {
    found = new Deadlines(timeoutMs);
    deadlines.set(timeoutMs, found);
  }
  return found;
}
