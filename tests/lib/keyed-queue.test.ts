import { describe, expect, it } from "vitest";
import { createKeyedQueue } from "../../src/lib/keyed-queue.js";

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe("keyed queue", () => {
  it("runs one conversation's tasks strictly in order, never interleaved", async () => {
    const queue = createKeyedQueue();
    const events: string[] = [];
    const gate = deferred();
    const first = queue.run("a", async () => {
      events.push("first:start");
      await gate.promise;
      events.push("first:end");
    });
    const second = queue.run("a", async () => {
      events.push("second:start");
      events.push("second:end");
    });
    await Promise.resolve();
    expect(events).toEqual(["first:start"]);
    gate.resolve();
    await Promise.all([first, second]);
    expect(events).toEqual(["first:start", "first:end", "second:start", "second:end"]);
  });

  it("runs different conversations concurrently", async () => {
    const queue = createKeyedQueue();
    const gate = deferred();
    const events: string[] = [];
    const blocked = queue.run("a", async () => {
      await gate.promise;
      events.push("a");
    });
    await queue.run("b", async () => {
      events.push("b");
    });
    expect(events).toEqual(["b"]);
    gate.resolve();
    await blocked;
    expect(events).toEqual(["b", "a"]);
  });

  it("keeps going after a task fails, and reports the failure to its caller", async () => {
    const queue = createKeyedQueue();
    const failing = queue.run("a", async () => {
      throw new Error("boom");
    });
    const next = queue.run("a", async () => "still here");
    await expect(failing).rejects.toThrow("boom");
    await expect(next).resolves.toBe("still here");
    await queue.idle();
    expect(queue.activeKeys).toBe(0);
  });
});
