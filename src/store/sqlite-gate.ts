/**
 * Who may use SQLite's one connection when. A history write is a transaction of several statements
 * that must have the connection alone (a statement of keyv's landing inside its BEGIN … COMMIT
 * would commit or roll back with it), and so does every other write. Reads (single SELECTs) may
 * go together: in WAL mode a read never waits for another process's lock, and the driver queues
 * them on the connection itself, so a read needs no trip through the event loop after the one
 * before it. At most `readsAtOnce` are handed over at a time, because each one holds a thread of
 * libuv's pool (four by default, shared with file and DNS work) while it waits for the connection.
 *
 * Writes stay one at a time with a gap between them: a connection that always had its next write
 * queued would win SQLite's lock every time and starve a second process into SQLITE_BUSY.
 *
 * First come, first served: a read queued behind a write waits for it (a stream of writes does not
 * starve reads, nor reads a write); consecutive reads at the head of the queue go together.
 */

export interface SqliteGate {
  /** Runs `work` beside other reads, never beside a write. */
  read<T>(work: () => Promise<T>): Promise<T>;
  /** Runs `work` with nothing else on the connection until it settles. */
  write<T>(work: () => Promise<T>): Promise<T>;
}

interface Waiter {
  kind: "read" | "write";
  start(): void;
}

/** Two: one read running, the next already queued behind it, and the pool's other threads free. */
const READS_AT_ONCE = 2;

export function createSqliteGate(readsAtOnce = READS_AT_ONCE): SqliteGate {
  let reading = 0;
  let writing = false;
  const waiting: Waiter[] = [];

  const mayStart = (kind: Waiter["kind"]) =>
    !writing && (kind === "read" ? reading < readsAtOnce : reading === 0);

  function admit(): void {
    for (let next = waiting[0]; next !== undefined && mayStart(next.kind); next = waiting[0]) {
      waiting.shift();
      if (next.kind === "read") reading += 1;
      else writing = true;
      next.start();
    }
  }

  async function enter<T>(kind: Waiter["kind"], work: () => Promise<T>): Promise<T> {
    if (waiting.length === 0 && mayStart(kind)) {
      if (kind === "read") reading += 1;
      else writing = true;
    } else {
      await new Promise<void>((start) => waiting.push({ kind, start }));
    }
    try {
      return await work();
    } finally {
      if (kind === "read") reading -= 1;
      else writing = false;
      admit();
    }
  }

  return {
    read: (work) => enter("read", work),
    write: (work) => enter("write", work),
  };
}
