import { describe, expect, it, vi } from "vitest";
import { createWriteBudget } from "../../../src/connectors/shared/write-budget.js";
import { maxInAnyWindow } from "../../helpers/max-in-window.js";

describe("write budget", () => {
  it("never lets more than `limit` writes through in any window, for one key", async () => {
    // The budget's own clock, not the wall clock: a record taken a millisecond after a grant would
    // make two windows look like one on a loaded machine.
    let clock = 0;
    const budget = createWriteBudget({ limit: 3, windowMs: 200, now: () => clock });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const times: number[] = [];
      const all = Promise.all(
        Array.from({ length: 10 }, async () => {
          await budget.acquire("channel-1");
          times.push(clock);
        }),
      );
      await vi.advanceTimersByTimeAsync(0);
      for (let step = 0; step < 100 && times.length < 10; step++) {
        clock += 10;
        await vi.advanceTimersByTimeAsync(10);
      }
      await all;
      expect(times).toEqual([0, 0, 0, 200, 200, 200, 400, 400, 400, 600]);
      expect(maxInAnyWindow(times, 200)).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it("says how many writes could go out now: none while others wait, more as the window moves", async () => {
    let clock = 0;
    const budget = createWriteBudget({ limit: 2, windowMs: 1_000, now: () => clock });
    expect(budget.room("a")).toBe(2);
    await budget.acquire("a");
    expect(budget.room("a")).toBe(1);
    await budget.acquire("a");
    const giveUp = new AbortController();
    const waiting = budget.acquire("a", giveUp.signal);
    expect(budget.room("a")).toBe(0);
    expect(budget.room("b")).toBe(2);
    clock = 1_000;
    // The window moved on, but the waiter goes first.
    expect(budget.room("a")).toBe(1);
    giveUp.abort();
    await expect(waiting).rejects.toThrow();
    expect(budget.room("a")).toBe(2);
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

  it("forgets a key a window after its last write, however few keys there are", async () => {
    // A Slack channel's post budget is keyed by channel: a bot that answers once in each of
    // hundreds of channels must not keep every channel it ever wrote to.
    let clock = 0;
    const budget = createWriteBudget({ limit: 3, windowMs: 1_000, now: () => clock });
    for (let channel = 0; channel < 300; channel++) await budget.acquire(`C${channel}`);
    expect(budget.keys).toBe(300);
    clock += 1_001;
    await budget.acquire("C-next");
    expect(budget.keys).toBe(1);
    // A key still inside its window is kept: its spent writes still count.
    expect(budget.room("C-next")).toBe(2);
  });

  it("grants a write with room at once, and a signal's abort afterwards takes nothing back", async () => {
    let clock = 0;
    const budget = createWriteBudget({ limit: 2, windowMs: 1_000, now: () => clock });
    const deadline = new AbortController();
    await budget.acquire("a", deadline.signal);
    await budget.acquire("a", deadline.signal);
    expect(budget.room("a")).toBe(0);
    // The third waits for the window; the deadline then gives it up, and only it.
    const third = budget.acquire("a", deadline.signal);
    deadline.abort(new Error("exit"));
    await expect(third).rejects.toThrow("exit");
    expect(budget.room("a")).toBe(0);
    clock = 1_000;
    expect(budget.room("a")).toBe(2);
    await budget.acquire("a");
    expect(budget.room("a")).toBe(1);
  });
});
