import { describe, expect, it } from "vitest";
import { bounded } from "../../src/store/bounded.js";
import { StoreError } from "../../src/store/conversation-store.js";

/** A promise settled from outside. */
function gate<T>() {
  let open!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const settled = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe("bounded", () => {
  it("answers with the work's value, and turns its failure into a StoreError naming the operation", async () => {
    await expect(bounded("reading x", 1_000, async () => 42)).resolves.toBe(42);
    const failure = await settled(
      bounded("reading y", 1_000, async () => {
        throw new Error("disk gone");
      }),
    );
    expect(failure).toEqual({ error: expect.any(StoreError) });
    const error = (failure as { error: StoreError }).error;
    expect(error.message).toBe("reading y failed");
    expect((error.cause as Error).message).toBe("disk gone");
  });

  it("a work that throws before returning a promise fails the same way", async () => {
    const work = (): Promise<number> => {
      throw new Error("at once");
    };
    await expect(bounded("reading z", 1_000, work)).rejects.toThrow("reading z failed");
  });

  it("of several operations in flight with one timeout, only those still waiting time out, each naming itself", async () => {
    const slow = gate<string>();
    const quick = gate<string>();
    const first = settled(bounded("first", 60, () => slow.promise));
    const second = settled(bounded("second", 60, () => quick.promise));
    const third = settled(bounded("third", 60, () => new Promise<string>(() => {})));
    quick.open("in time");
    expect(await second).toEqual({ value: "in time" });
    const [one, three] = await Promise.all([first, third]);
    expect((one as { error: Error }).error.message).toBe(
      "first timed out after 60 ms: the store did not answer",
    );
    expect((three as { error: Error }).error.message).toBe(
      "third timed out after 60 ms: the store did not answer",
    );
    // A late answer after the deadline changes nothing and is not an unhandled rejection.
    slow.fail(new Error("too late"));
    expect(one).toEqual({ error: expect.any(StoreError) });
  });

  it("aborts the signal of a work that takes one when its deadline passes, with the timeout error", async () => {
    let seen: AbortSignal | undefined;
    const outcome = await settled(
      bounded("appending", 30, (signal) => {
        seen = signal;
        return new Promise<void>(() => {});
      }),
    );
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe((outcome as { error: unknown }).error);
  });

  it("an operation started later is not timed out with an earlier one: each has its own whole timeout", async () => {
    const earlier = settled(bounded("earlier", 60, () => new Promise<never>(() => {})));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const later = gate<string>();
    let laterSettled = false;
    const pending = settled(bounded("later", 60, () => later.promise)).finally(() => {
      laterSettled = true;
    });
    expect(await earlier).toEqual({ error: expect.any(StoreError) });
    expect(laterSettled).toBe(false);
    later.open("answered");
    expect(await pending).toEqual({ value: "answered" });
  });
});
