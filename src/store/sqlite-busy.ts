/**
 * Retrying a statement SQLite refuses with SQLITE_BUSY without waiting. The busy timeout
 * (sqlite-backend.ts) makes SQLite wait for another connection's lock, but not when waiting could
 * deadlock: a statement that took a read lock and then needs the write lock fails at once. Switching
 * a file to WAL is such a statement (it reads the header, then needs the file alone), so stores that
 * open one fresh file at the same moment (several processes starting together) could fail their
 * start-up. The caller holds nothing between tries, so backing off and trying again is safe.
 */

/** As long as SQLite itself waits on a lock (BUSY_TIMEOUT_MS in sqlite-backend.ts). */
const RETRY_FOR_MS = 1_000;
const FIRST_PAUSE_MS = 2;
const LONGEST_PAUSE_MS = 50;

/** node-sqlite3 reports the primary code (SQLITE_BUSY) for every extended one too. */
export function isSqliteBusy(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === "SQLITE_BUSY";
}

/**
 * Runs `work` until it does not fail with SQLITE_BUSY, pausing a little longer (with jitter, so
 * stores opening together do not retry in step) after each refusal; after `retryForMs` the last
 * refusal is thrown. Any other failure is thrown at once.
 */
export async function retryWhileBusy<T>(work: () => Promise<T>, retryForMs = RETRY_FOR_MS): Promise<T> {
  const giveUpAt = Date.now() + retryForMs;
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    try {
      return await work();
    } catch (error) {
      if (!isSqliteBusy(error) || Date.now() >= giveUpAt) throw error;
    }
    const wait = Math.min(pause / 2 + Math.random() * pause, Math.max(0, giveUpAt - Date.now()));
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
