import { describe, expect, it } from "vitest";
import { createKeyvStore } from "../../src/store/keyv-store.js";
import { openMemory } from "../../src/store/memory-backend.js";

/** keyv's stored form of a claim, as the store writes it. */
const record = (expires: number) => JSON.stringify({ value: true, expires });

/** A memory backend on a clock the test moves. */
function memoryAt(start: number) {
  const clock = { now: start };
  const backend = openMemory(() => clock.now);
  backend.keyv.namespace = "troupe";
  return { ...backend, clock };
}

describe("memory:// set if absent (markSeen)", () => {
  it("claims a key once: the first claim is new, the second finds it", async () => {
    const { setIfAbsent } = memoryAt(1_000);
    expect(await setIfAbsent("seen:Ev1", record(61_000), 60_000)).toBe(true);
    expect(await setIfAbsent("seen:Ev1", record(61_000), 60_000)).toBe(false);
    expect(await setIfAbsent("seen:Ev2", record(61_000), 60_000)).toBe(true);
  });

  it("lets an expired claim be claimed again", async () => {
    const { setIfAbsent, clock } = memoryAt(1_000);
    expect(await setIfAbsent("seen:Ev1", record(1_050), 50)).toBe(true);
    clock.now = 1_050;
    expect(await setIfAbsent("seen:Ev1", record(1_100), 50)).toBe(false);
    clock.now = 1_051;
    expect(await setIfAbsent("seen:Ev1", record(1_101), 50)).toBe(true);
    expect(await setIfAbsent("seen:Ev1", record(1_101), 50)).toBe(false);
  });

  it("lets exactly one of many concurrent claims of a key win", async () => {
    const { setIfAbsent } = memoryAt(1_000);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => setIfAbsent("seen:racing", record(61_000), 60_000)),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it("stores keyv's own format: keyv reads a claim, and sees a claim keyv wrote", async () => {
    const { keyv, setIfAbsent } = memoryAt(Date.now());
    await setIfAbsent("seen:Ev1", record(Date.now() + 60_000), 60_000);
    expect(await keyv.get("seen:Ev1")).toBe(true);
    await keyv.set("seen:Ev2", true, 60_000);
    expect(await setIfAbsent("seen:Ev2", record(Date.now() + 60_000), 60_000)).toBe(false);
  });

  it("keeps a value that does not parse: the event reads as seen, not handled twice", async () => {
    const { keyv, setIfAbsent } = memoryAt(1_000);
    const map = keyv.store as Map<string, unknown>;
    map.set("troupe:seen:garbled", "{not json");
    expect(await setIfAbsent("seen:garbled", record(61_000), 60_000)).toBe(false);
    expect(map.get("troupe:seen:garbled")).toBe("{not json");
  });

  it("is what markSeen uses, and the sweep removes an expired claim", async () => {
    const { keyv, setIfAbsent, sweepExpired } = openMemory();
    const store = createKeyvStore(keyv, { historyTtlMs: 60_000, maxTurns: 5 }, { setIfAbsent, sweepExpired });
    expect(await store.markSeen("Ev-old", 20)).toBe(true);
    expect(await store.markSeen("Ev-new", 60_000)).toBe(true);
    const map = keyv.store as Map<string, unknown>;
    expect([...map.keys()].sort()).toEqual(["troupe:seen:Ev-new", "troupe:seen:Ev-old"]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await sweepExpired();
    expect([...map.keys()]).toEqual(["troupe:seen:Ev-new"]);
    expect(await store.markSeen("Ev-old", 60_000)).toBe(true);
    await store.close();
  });
});
