import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createGlobalLane } from "../../../src/connectors/discord/discord-pacing-lane.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("discord global lane", () => {
  it("lets a second's worth of writes through, then serves first messages before edits", async () => {
    const lane = createGlobalLane({ perSecond: 2, now: () => Date.now() });
    const order: string[] = [];
    const take = (name: string, first: boolean) => lane.acquire(first).then(() => order.push(name));
    const all = [take("edit 1", false), take("edit 2", false), take("edit 3", false), take("first", true)];
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(["edit 1", "edit 2"]);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(all);
    expect(order).toEqual(["edit 1", "edit 2", "first", "edit 3"]);
  });
});
