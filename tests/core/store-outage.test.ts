import { describe, expect, it } from "vitest";
import { createStoreOutage, OUTAGE_QUIET_MS } from "../../src/core/store-outage.js";

function clocked() {
  let time = 1_000_000;
  const outage = createStoreOutage({ now: () => time });
  return { outage, advance: (ms: number) => (time += ms) };
}

describe("store outage notices", () => {
  it("tells nobody while the store works", () => {
    const { outage } = clocked();
    expect(outage.takeNotice("a")).toBe(false);
  });

  it("tells a conversation once per outage, however often the store fails for it", () => {
    const { outage, advance } = clocked();
    outage.failed("a");
    expect(outage.takeNotice("a")).toBe(true);
    for (let index = 0; index < 5; index++) {
      advance(OUTAGE_QUIET_MS / 2);
      outage.failed("a");
      expect(outage.takeNotice("a")).toBe(false);
    }
  });

  it("tells each conversation for itself", () => {
    const { outage } = clocked();
    outage.failed("a");
    outage.failed("b");
    expect(outage.takeNotice("a")).toBe(true);
    expect(outage.takeNotice("b")).toBe(true);
    expect(outage.takeNotice("c")).toBe(false);
  });

  it("tells again in a later outage, after the store went quiet (answered) for a while", () => {
    const { outage, advance } = clocked();
    outage.failed("a");
    expect(outage.takeNotice("a")).toBe(true);
    advance(OUTAGE_QUIET_MS);
    outage.failed("a");
    expect(outage.takeNotice("a")).toBe(true);
    expect(outage.takeNotice("a")).toBe(false);
  });

  it("a conversation that failed but was not yet told is told later in the same outage", () => {
    const { outage, advance } = clocked();
    outage.failed("a");
    advance(10);
    outage.failed("a");
    expect(outage.takeNotice("a")).toBe(true);
  });
});
