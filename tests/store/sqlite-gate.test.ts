import { describe, expect, it } from "vitest";
import { createSqliteGate } from "../../src/store/sqlite-gate.js";

/** A piece of work that records when it starts and ends, and ends when told. */
function step(log: string[], name: string) {
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    finish: () => finish(),
    work: async () => {
      log.push(`${name} start`);
      await done;
      log.push(`${name} end`);
      return name;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("the SQLite connection gate", () => {
  it("runs reads together, and a write alone, first come first served", async () => {
    const gate = createSqliteGate();
    const log: string[] = [];
    const [a, b, tx, c] = [step(log, "a"), step(log, "b"), step(log, "tx"), step(log, "c")];
    const results = [
      gate.read(a.work),
      gate.read(b.work),
      gate.write(tx.work),
      // Queued behind the write: it does not jump ahead of it.
      gate.read(c.work),
    ];
    await settle();
    expect(log).toEqual(["a start", "b start"]);
    a.finish();
    await settle();
    expect(log).toEqual(["a start", "b start", "a end"]);
    b.finish();
    await settle();
    expect(log.slice(3)).toEqual(["b end", "tx start"]);
    tx.finish();
    await settle();
    expect(log.slice(5)).toEqual(["tx end", "c start"]);
    c.finish();
    expect(await Promise.all(results)).toEqual(["a", "b", "tx", "c"]);
  });

  it("hands over no more reads at once than asked", async () => {
    const gate = createSqliteGate(2);
    const log: string[] = [];
    const steps = ["a", "b", "c"].map((name) => step(log, name));
    const results = steps.map((each) => gate.read(each.work));
    await settle();
    expect(log).toEqual(["a start", "b start"]);
    steps[0]?.finish();
    await settle();
    expect(log).toEqual(["a start", "b start", "a end", "c start"]);
    for (const each of steps) each.finish();
    expect(await Promise.all(results)).toEqual(["a", "b", "c"]);
  });

  it("passes a failure through and lets the next work in", async () => {
    const gate = createSqliteGate();
    const failing = gate.write(async () => {
      throw new Error("constraint failed");
    });
    await expect(failing).rejects.toThrow("constraint failed");
    await expect(gate.read(async () => "after")).resolves.toBe("after");
    await expect(gate.write(async () => "then")).resolves.toBe("then");
  });
});
