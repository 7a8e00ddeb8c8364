import { setTimeout as delay } from "node:timers/promises";

/**
 * Polls `check` until it returns true or `withinMs` passes, and returns its last answer: tests
 * assert on that answer, so a slow machine makes them wait longer, never fail on timing.
 */
export async function waitUntil(check: () => Promise<boolean>, withinMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await delay(50);
  }
}

/** Like waitUntil, for checks that throw while the condition does not hold yet. */
export function succeeds(check: () => Promise<unknown>): () => Promise<boolean> {
  return async () => {
    try {
      await check();
      return true;
    } catch {
      return false;
    }
  };
}
