/**
 * One process of the multi-process append test (multi-process-append.test.ts): opens the store at
 * STORE_URL (argv), waits for the agreed start time, appends `count` exchanges to one conversation all at once, closes, exits 0. Any
 * failure goes to stderr with exit code 1, so the parent sees SQLITE_BUSY or a lost connection.
 */
import { setTimeout as delay } from "node:timers/promises";
import { nextArrivalOrder } from "../../src/lib/arrival-order.js";
import { createStore } from "../../src/store/create-store.js";

const [url = "", conversationId = "", label = "", count = "0", startAt = "0"] = process.argv.slice(2);
const store = await createStore(url, { historyTtlMs: 60_000, maxTurns: 100_000 });
// The processes start at different speeds: all begin appending at one agreed moment.
await delay(Math.max(0, Number(startAt) - Date.now()));
try {
  await Promise.all(
    Array.from({ length: Number(count) }, (_, index) =>
      store.appendTurns(
        conversationId,
        [
          { role: "user", content: `${label} q${index}`, at: Date.now() },
          { role: "assistant", content: `${label} a${index}`, at: Date.now() },
        ],
        { order: nextArrivalOrder() },
      ),
    ),
  );
} catch (error) {
  process.stderr.write(
    `${error instanceof Error ? `${error.message}: ${String(error.cause)}` : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  await store.close();
}
