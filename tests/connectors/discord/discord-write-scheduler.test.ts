/**
 * The scheduler on its own clock: it grants by what Discord reports, holds one write at a time until
 * a bucket has reported, serves completing writes before growing ones, and keeps a write back for
 * every answer still open in a busy bucket.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readRateLimit, writeBucketOf } from "../../../src/connectors/discord/discord-rate-limit-headers.js";
import { createWriteScheduler } from "../../../src/connectors/discord/discord-write-scheduler.js";

let clock = 0;

beforeEach(() => {
  clock = 1_000_000;
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Advances the scheduler's clock and its timers together. */
async function advance(ms: number): Promise<void> {
  clock += ms;
  await vi.advanceTimersByTimeAsync(ms);
}

/** A promise's state without waiting for it. */
function track<T>(promise: Promise<T>): { done: boolean; value?: T } {
  const state: { done: boolean; value?: T } = { done: false };
  promise.then((value) => {
    state.done = true;
    state.value = value;
  });
  return state;
}

const report = (remaining: number, resetAfterMs = 5_000, limit = 5) => ({ limit, remaining, resetAfterMs });

describe("discord write scheduler", () => {
  it("lets one write out until the bucket reports, then as many as Discord says remain", async () => {
    const scheduler = createWriteScheduler({ now: () => clock });
    const answer = scheduler.open({ reportedBy: "channel:1" });
    answer.finish();
    const first = track(answer.acquire());
    const second = track(answer.acquire());
    await advance(0);
    expect([first.done, second.done]).toEqual([true, false]);
    // The response says 8 per window, 7 left: the next writes go without waiting.
    scheduler.report("channel:1", report(7, 5_000, 8));
    first.value?.();
    await advance(0);
    expect(second.done).toBe(true);
    scheduler.report("channel:1", report(6, 4_900, 8));
    second.value?.();
    const more = Array.from({ length: 7 }, () => track(answer.acquire()));
    await advance(0);
    // 6 remain, none in flight: 6 go (more than Discord's default of 5), the seventh waits.
    expect(more.map((entry) => entry.done)).toEqual([true, true, true, true, true, true, false]);
  });

  it("waits for the reported reset when nothing remains, never before", async () => {
    const scheduler = createWriteScheduler({ now: () => clock });
    const answer = scheduler.open({ reportedBy: "channel:1" });
    answer.finish();
    const first = track(answer.acquire());
    await advance(0);
    scheduler.report("channel:1", report(0, 2_000, 1));
    first.value?.();
    const next = track(answer.acquire());
    await advance(1_999);
    expect(next.done).toBe(false);
    // Past the reset (and the margin kept over discord.js's own offset).
    await advance(200);
    expect(next.done).toBe(true);
  });

  it("serves a write that completes an answer before one that only grows another", async () => {
    const scheduler = createWriteScheduler({ now: () => clock });
    const growing = scheduler.open({ reportedBy: "channel:1" });
    const finished = scheduler.open({ reportedBy: "channel:1" });
    // Start a window: one write, reported, leaves 1.
    finished.finish();
    const opener = track(finished.acquire());
    await advance(0);
    scheduler.report("channel:1", report(1));
    opener.value?.();
    const grow = track(growing.acquire());
    const complete = track(finished.acquire());
    await advance(0);
    expect([complete.done, grow.done]).toEqual([true, false]);
  });

  it("grows an answer only while a write stays left for every answer open in the channel", async () => {
    const scheduler = createWriteScheduler({ now: () => clock });
    const answers = Array.from({ length: 3 }, () => scheduler.open({ reportedBy: "channel:1" }));
    const [one, two, three] = answers;
    if (one === undefined || two === undefined || three === undefined) throw new Error("three answers");
    one.finish();
    const opener = track(one.acquire());
    await advance(0);
    scheduler.report("channel:1", report(3));
    opener.value?.();
    one.close();
    // 3 left, 2 answers open: a growing write would leave 2, enough for both to finish.
    const grow = track(two.acquire());
    await advance(0);
    expect(grow.done).toBe(true);
    grow.value?.();
    scheduler.report("channel:1", report(2));
    // 2 left, 2 open: growing again would leave 1 for 2 answers; it waits for the reset.
    const again = track(two.acquire());
    await advance(0);
    expect(again.done).toBe(false);
    // The other answer's model ends: its write completes it, and goes.
    three.finish();
    const done = track(three.acquire());
    await advance(0);
    expect([done.done, again.done]).toEqual([true, false]);
    await advance(5_200);
    expect(again.done).toBe(true);
  });

  it("upgrades a waiting write once its model finishes", async () => {
    const scheduler = createWriteScheduler({ now: () => clock });
    const answers = Array.from({ length: 6 }, () => scheduler.open({ reportedBy: "channel:1" }));
    const waiting = answers.map((answer) => track(answer.acquire()));
    await advance(0);
    // Six answers open, five writes by default: no answer may grow.
    expect(waiting.filter((entry) => entry.done)).toHaveLength(0);
    answers[4]?.finish();
    await advance(0);
    expect(waiting.map((entry) => entry.done)).toEqual([false, false, false, false, true, false]);
  });

  it("counts writes no response reported for the default window after they were answered", async () => {
    const scheduler = createWriteScheduler({ now: () => clock });
    // Webhook answers also count against their channel, which never reports on them.
    const answer = scheduler.open({ reportedBy: "webhook:9/t", alsoCounts: ["channel:1"] });
    answer.finish();
    for (let write = 0; write < 5; write++) {
      const granted = track(answer.acquire());
      await advance(0);
      expect(granted.done).toBe(true);
      scheduler.report("webhook:9/t", report(50, 5_000, 100));
      granted.value?.();
    }
    const sixth = track(answer.acquire());
    await advance(4_000);
    expect(sixth.done).toBe(false);
    await advance(1_100);
    expect(sixth.done).toBe(true);
  });

  it("gives up a waiting write whose signal aborts", async () => {
    const scheduler = createWriteScheduler({ now: () => clock });
    const answer = scheduler.open({ reportedBy: "channel:1" });
    answer.finish();
    const first = track(answer.acquire());
    await advance(0);
    const stop = new AbortController();
    const second = answer.acquire(stop.signal);
    stop.abort(new Error("exiting"));
    await expect(second).rejects.toThrow("exiting");
    expect(first.done).toBe(true);
  });
});

describe("reading Discord's rate-limit headers", () => {
  it("reads limit, remaining and reset-after, and nothing from a response without them", () => {
    const headers = new Headers({
      "x-ratelimit-limit": "5",
      "x-ratelimit-remaining": "3",
      "x-ratelimit-reset-after": "4.250",
      "x-ratelimit-bucket": "abc",
    });
    expect(readRateLimit(headers)).toEqual({ limit: 5, remaining: 3, resetAfterMs: 4_250 });
    expect(readRateLimit(new Headers())).toBeUndefined();
    expect(readRateLimit(new Headers({ "x-ratelimit-limit": "five", "x-ratelimit-remaining": "1" }))).toBe(
      undefined,
    );
  });

  it("knows a message write's bucket from its path, and ignores other routes", () => {
    expect(writeBucketOf("/channels/11/messages")).toBe("channel:11");
    expect(writeBucketOf("/channels/11/messages/22")).toBe("channel:11");
    expect(writeBucketOf("/webhooks/33/tok-en")).toBe("webhook:33/tok-en");
    expect(writeBucketOf("/webhooks/33/tok/messages/@original")).toBe("webhook:33/tok");
    expect(writeBucketOf("/channels/11/typing")).toBeUndefined();
    expect(writeBucketOf("/channels/11/webhooks")).toBeUndefined();
    expect(writeBucketOf("/interactions/44/tok/callback")).toBeUndefined();
  });
});
