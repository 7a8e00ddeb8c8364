/**
 * Who writes next in a busy Discord channel, by the limits Discord reports. Discord answers every
 * write on a limited route with its bucket's state (`X-RateLimit-Limit`, `-Remaining`,
 * `-Reset-After`); `report` feeds those in, and a write is let through only while the bucket has
 * room: what Discord said remains, less the writes granted and not answered yet, less writes that no
 * response reported (see below). Until a bucket has reported, Discord's documented default holds (5
 * writes per 5 s) and one write at a time goes out, so the first answer tells the limit before a
 * second write can overrun it. The reset is kept a little later than discord.js keeps it, so its own
 * queue always finds the bucket open: troupe waits, discord.js never has to.
 *
 * Room is spent where people see most. A write that completes an answer (the model has finished:
 * its only write, or its final edit) goes before a write that merely grows an unfinished answer; a
 * growing write goes only when the bucket keeps, after it, a write for every answer still open
 * there. One answer alone streams as before; twenty at once wait until their models finish and go
 * out whole, about one write each, at the pace a bot posting once per answer would have.
 *
 * An answer may also count against buckets no response reports on (an answer shown through a
 * persona webhook or an interaction still counts against its channel): those writes are counted
 * here for the default window after they were answered.
 */

export interface RateLimitReport {
  limit: number;
  remaining: number;
  resetAfterMs: number;
}

export interface WriteScheduler {
  /**
   * An answer (or a one-off post) about to write: `reportedBy` is the bucket its responses report
   * on, `alsoCounts` buckets it spends without a report.
   */
  open(buckets: { reportedBy: string; alsoCounts?: readonly string[] }): ScheduledAnswer;
  /** A response on a write route of `bucket` reported this. */
  report(bucket: string, report: RateLimitReport): void;
}

export interface ScheduledAnswer {
  /** Waits for this answer's turn; resolves with the function to call once the write is answered. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** The model has finished: every later write completes the answer. */
  finish(): void;
  /** Delivered or given up: no longer holds room for a final write. */
  close(): void;
}

export interface WriteSchedulerOptions {
  /** Injected for tests; defaults to the real clock. */
  now?: () => number;
}

/** Discord's documented default for message writes, until a response says otherwise. */
const DEFAULT_LIMIT = 5;
const DEFAULT_WINDOW_MS = 5_000;
/** Past discord.js's own reset offset (50 ms by default): its queue never finds the bucket shut. */
const RESET_MARGIN_MS = 100;
/** More buckets than this: the idle ones are forgotten (they start again from the default). */
const MAX_IDLE_BUCKETS = 1_000;

interface Grant {
  expectsReport: boolean;
  reported: boolean;
}

interface Bucket {
  limit: number;
  /** Writes left in the reported window, as of the last report. */
  remaining: number;
  /** When the reported window is whole again (0: nothing reported yet). */
  resetAt: number;
  reported: boolean;
  inFlight: Grant[];
  /** When writes no response reported on were answered, oldest first. */
  unreported: number[];
  /** Answers still open here: each will need a write to complete. */
  answers: Set<Answer>;
}

interface Answer {
  reportedBy: string;
  keys: string[];
  finished: boolean;
}

interface Waiter {
  answer: Answer;
  resolve: (answered: () => void) => void;
  signal?: AbortSignal;
  /** Stops listening to `signal` once the write is granted. */
  detach: () => void;
}

export function createWriteScheduler(options: WriteSchedulerOptions = {}): WriteScheduler {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  let waiters: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;

  function bucketOf(key: string): Bucket {
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = {
        limit: DEFAULT_LIMIT,
        remaining: DEFAULT_LIMIT,
        resetAt: 0,
        reported: false,
        inFlight: [],
        unreported: [],
        answers: new Set(),
      };
      buckets.set(key, bucket);
    }
    return bucket;
  }

  function room(bucket: Bucket, time: number): number {
    while ((bucket.unreported[0] ?? time) <= time - DEFAULT_WINDOW_MS) bucket.unreported.shift();
    const left = time >= bucket.resetAt ? bucket.limit : bucket.remaining;
    return left - bucket.inFlight.length - bucket.unreported.length;
  }

  function mayWrite(waiter: Waiter, key: string, time: number): boolean {
    const bucket = bucketOf(key);
    if (key === waiter.answer.reportedBy && !bucket.reported && bucket.inFlight.length > 0) return false;
    const left = room(bucket, time);
    if (waiter.answer.finished) return left >= 1;
    // A growing write leaves a write behind for every answer open here, this one included.
    return left - 1 >= bucket.answers.size;
  }

  function grant(waiter: Waiter): void {
    waiter.detach();
    const grants = waiter.answer.keys.map((key) => {
      const entry: Grant = { expectsReport: key === waiter.answer.reportedBy, reported: false };
      bucketOf(key).inFlight.push(entry);
      return { key, entry };
    });
    let settled = false;
    waiter.resolve(() => {
      if (settled) return;
      settled = true;
      const time = now();
      for (const { key, entry } of grants) {
        const bucket = bucketOf(key);
        bucket.inFlight.splice(bucket.inFlight.indexOf(entry), 1);
        if (!entry.reported) bucket.unreported.push(time);
      }
      pump();
    });
  }

  function pump(): void {
    const time = now();
    const waiting: Waiter[] = [];
    // Completing writes first, each class first come first served.
    for (const finished of [true, false]) {
      for (const waiter of waiters) {
        if (waiter.answer.finished !== finished) continue;
        if (waiter.signal?.aborted) continue;
        if (waiter.answer.keys.every((key) => mayWrite(waiter, key, time))) grant(waiter);
        else waiting.push(waiter);
      }
    }
    waiters = waiters.filter((waiter) => waiting.includes(waiter));
    schedule(time);
  }

  /** Wakes when the first bucket a waiter needs has room again by the clock (answers wake it too). */
  function schedule(time: number): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (waiters.length === 0) return;
    let next = Number.POSITIVE_INFINITY;
    for (const key of new Set(waiters.flatMap((waiter) => waiter.answer.keys))) {
      const bucket = bucketOf(key);
      if (bucket.resetAt > time) next = Math.min(next, bucket.resetAt);
      const oldest = bucket.unreported[0];
      if (oldest !== undefined) next = Math.min(next, oldest + DEFAULT_WINDOW_MS);
    }
    if (next === Number.POSITIVE_INFINITY) return;
    timer = setTimeout(pump, Math.max(1, next - time));
  }

  function forgetIdle(): void {
    if (buckets.size <= MAX_IDLE_BUCKETS) return;
    const time = now();
    for (const [key, bucket] of buckets) {
      if (bucket.answers.size === 0 && bucket.inFlight.length === 0 && room(bucket, time) >= bucket.limit)
        buckets.delete(key);
    }
  }

  return {
    open({ reportedBy, alsoCounts = [] }) {
      forgetIdle();
      const answer: Answer = { reportedBy, keys: [...new Set([reportedBy, ...alsoCounts])], finished: false };
      for (const key of answer.keys) bucketOf(key).answers.add(answer);
      let closed = false;
      return {
        acquire(signal) {
          if (signal?.aborted) return Promise.reject(signal.reason);
          return new Promise((resolve, reject) => {
            const onAbort = () => {
              waiters = waiters.filter((entry) => entry !== waiter);
              reject(signal?.reason);
            };
            const waiter: Waiter = {
              answer,
              resolve,
              signal,
              detach: () => signal?.removeEventListener("abort", onAbort),
            };
            waiters.push(waiter);
            signal?.addEventListener("abort", onAbort, { once: true });
            pump();
          });
        },
        finish() {
          if (answer.finished) return;
          answer.finished = true;
          pump();
        },
        close() {
          if (closed) return;
          closed = true;
          for (const key of answer.keys) bucketOf(key).answers.delete(answer);
          pump();
        },
      };
    },

    report(key, report) {
      const bucket = bucketOf(key);
      const time = now();
      const answered = bucket.inFlight.find((entry) => entry.expectsReport && !entry.reported);
      if (answered !== undefined) answered.reported = true;
      const resetAt = time + report.resetAfterMs + RESET_MARGIN_MS;
      // A late response of the same window (two routes of one bucket answer out of order) can only
      // lower what is left; a response of a later window replaces it.
      const sameWindow =
        bucket.reported && time < bucket.resetAt && resetAt <= bucket.resetAt + RESET_MARGIN_MS;
      bucket.remaining = sameWindow ? Math.min(bucket.remaining, report.remaining) : report.remaining;
      bucket.resetAt = sameWindow ? Math.max(bucket.resetAt, resetAt) : resetAt;
      bucket.limit = report.limit;
      bucket.reported = true;
      pump();
    },
  };
}
