/** The store at start-up: STORE_URL opened with the history limits; a store it cannot open is fatal. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FatalError } from "../../src/app/fatal.js";
import { openStore, storeLimits } from "../../src/app/open-store.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";

describe("openStore", () => {
  it("turns HISTORY_TTL_DAYS and HISTORY_MAX_TURNS into the store's limits", () => {
    expect(storeLimits({ STORE_URL: "memory://", HISTORY_TTL_DAYS: 0.5, HISTORY_MAX_TURNS: 40 })).toEqual({
      historyTtlMs: 12 * 60 * 60 * 1000,
      maxTurns: 40,
    });
  });

  it("opens a working store and keeps only HISTORY_MAX_TURNS turns", async () => {
    const store = await openStore(
      { STORE_URL: "memory://", HISTORY_TTL_DAYS: 30, HISTORY_MAX_TURNS: 2 },
      createRecordingLogger(),
    );
    try {
      for (const content of ["one", "two", "three"])
        await store.appendTurns("console:ada", [{ role: "user", content, at: Date.now() }]);
      expect((await store.getHistory("console:ada")).map((turn) => turn.content)).toEqual(["two", "three"]);
    } finally {
      await store.close();
    }
  });

  it("fails with the store's own line (STORE_URL, the problem, the fix) and logs the cause", async () => {
    const dir = await mkdtemp(join(tmpdir(), "troupe-app-store-"));
    try {
      // A file where the database's folder should be.
      await writeFile(join(dir, "data"), "not a folder");
      const url = `sqlite://${join(dir, "data", "troupe.sqlite")}`;
      const logger = createRecordingLogger();
      const failure = await openStore(
        { STORE_URL: url, HISTORY_TTL_DAYS: 30, HISTORY_MAX_TURNS: 200 },
        logger,
      ).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(FatalError);
      const cause = (failure as FatalError).cause as Error;
      expect((failure as Error).message).toBe(cause.message);
      expect(cause.message).toMatch(/^STORE_URL=sqlite:\/\/.*Fix: /s);
      expect(logger.lines).toContainEqual({
        level: "error",
        message: "cannot open the store",
        fields: { err: cause },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
