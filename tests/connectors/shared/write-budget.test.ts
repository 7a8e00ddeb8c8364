import { describe, expect, it } from "vitest";
import { createWriteBudget } from "../../../src/connectors/shared/write-budget.js";
import { maxInAnyWindow } from "../../helpers/max-in-window.js";

describe("write budget", () => {
  it("never lets more than `limit` writes through in any window, for one key", async () => {
    const budget = createWriteBudget({ limit: 3, windowMs: 200 });
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        await budget.acquire("channel-1");
        times.push(Date.now());
      }),
    );
    expect(times).toHaveLength(10);
    expect(maxInAnyWindow(times, 200)).toBeLessThanOrEqual(3);
  });

  it("keeps keys independent", async () => {
    const budget = createWriteBudget({ limit: 1, windowMs: 60_000 });
    await budget.acquire("a");
    // A second key is not held up by the first one's spent budget.
    await expect(budget.acquire("b")).resolves.toBeUndefined();
  });

  it("serves waiters first come, first served", async () => {
    const budget = createWriteBudget({ limit: 1, windowMs: 50 });
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((id) => budget.acquire("k").then(() => order.push(id))));
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it("drops a waiter whose signal aborts", async () => {
    const budget = createWriteBudget({ limit: 1, windowMs: 60_000 });
    await budget.acquire("k");
    const controller = new AbortController();
    const waiting = budget.acquire("k", controller.signal);
    controller.abort(new Error("gone"));
    await expect(waiting).rejects.toThrow("gone");
  });
});
