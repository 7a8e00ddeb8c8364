/** onAbort: fires like an abort listener, unsubscribes in O(1), and never fires twice or late. */
import { describe, expect, it } from "vitest";
import { onAbort } from "../../src/lib/on-abort.js";

describe("onAbort", () => {
  it("runs every listener still subscribed when the signal aborts, in order, once", () => {
    const controller = new AbortController();
    const calls: string[] = [];
    onAbort(controller.signal, () => calls.push("first"));
    const stop = onAbort(controller.signal, () => calls.push("removed"));
    onAbort(controller.signal, () => calls.push("last"));
    stop();
    controller.abort();
    controller.abort();
    expect(calls).toEqual(["first", "last"]);
  });

  it("counts the same function registered twice as two registrations", () => {
    const controller = new AbortController();
    let calls = 0;
    const listener = () => calls++;
    const stopOne = onAbort(controller.signal, listener);
    onAbort(controller.signal, listener);
    stopOne();
    controller.abort();
    expect(calls).toBe(1);
  });

  it("never fires for a signal that has already aborted, as addEventListener", () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    onAbort(controller.signal, () => calls++);
    expect(calls).toBe(0);
  });

  it("leaves one real listener on a long-lived signal however many waits come and go", () => {
    const controller = new AbortController();
    let added = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    }) as typeof add;
    for (let index = 0; index < 10_000; index++) onAbort(controller.signal, () => {})();
    let fired = 0;
    onAbort(controller.signal, () => fired++);
    controller.abort();
    expect([added, fired]).toEqual([1, 1]);
  });
});
