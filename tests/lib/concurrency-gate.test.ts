import { describe, expect, it } from "vitest";
import { createConcurrencyGate } from "../../src/lib/concurrency-gate.js";

function held(): { done: Promise<void>; release: () => void } {
  let release: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { done, release };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("concurrency gate", () => {
  it("runs at most max at once and starts the waiting ones in arrival order", async () => {
    const gate = createConcurrencyGate(2);
    const started: number[] = [];
    const holds = [held(), held(), held(), held()];
    const runs = holds.map((hold, index) =>
      gate.run(async () => {
        started.push(index);
        await hold.done;
        return index * 10;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(gate.running()).toBe(2);
    expect(gate.waiting()).toBe(2);

    holds[1]?.release();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    holds[0]?.release();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(gate.waiting()).toBe(0);

    holds[2]?.release();
    holds[3]?.release();
    expect(await Promise.all(runs)).toEqual([0, 10, 20, 30]);
    expect(gate.running()).toBe(0);
  });

  it("gives a failure to its caller and frees the place", async () => {
    const gate = createConcurrencyGate(1);
    const failing = gate.run(async () => {
      throw new Error("boom");
    });
    const next = gate.run(async () => "after");
    await expect(failing).rejects.toThrow("boom");
    expect(await next).toBe("after");
  });

  it("once opened, starts everything waiting and lets nothing wait again", async () => {
    const gate = createConcurrencyGate(1);
    const first = held();
    const started: string[] = [];
    const runs = [
      gate.run(async () => {
        started.push("first");
        await first.done;
      }),
      gate.run(async () => {
        started.push("second");
      }),
      gate.run(async () => {
        started.push("third");
      }),
    ];
    await tick();
    expect(started).toEqual(["first"]);
    gate.open();
    await tick();
    expect(started).toEqual(["first", "second", "third"]);
    await gate.run(async () => started.push("fourth"));
    expect(started.at(-1)).toBe("fourth");
    first.release();
    await Promise.all(runs);
  });
});
