import { describe, expect, it } from "vitest";
import { createLatch } from "../../../src/connectors/shared/answer-pacing.js";

describe("latch", () => {
  it("calls each listener once when fired, none that unsubscribed, and later ones at once", () => {
    const latch = createLatch();
    const heard: string[] = [];
    latch.on(() => heard.push("first"));
    const stop = latch.on(() => heard.push("gone"));
    latch.on(() => heard.push("second"));
    stop();
    expect(latch.fired).toBe(false);
    latch.fire();
    latch.fire();
    expect(latch.fired).toBe(true);
    expect(heard).toEqual(["first", "second"]);
    latch.on(() => heard.push("late"));
    expect(heard).toEqual(["first", "second", "late"]);
  });
});
