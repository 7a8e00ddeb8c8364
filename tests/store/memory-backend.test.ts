import { describe, expect, it } from "vitest";
import { createKeyvStore } from "../../src/store/keyv-store.js";
import { openMemory } from "../../src/store/memory-backend.js";
import { UnreadableValue } from "../../src/store/stored-values.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";

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

describe("memory:// reads and writes straight on the Map", () => {
  it("stores keyv's own entries: keyv reads what they write, and they read what keyv writes", async () => {
    const { keyv, keys } = memoryAt(Date.now());
    await keys.set("record:a", { nested: [1, "two", null] }, 60_000);
    await keys.set("binding:server", "tutor");
    expect(await keyv.get("record:a")).toEqual({ nested: [1, "two", null] });
    expect(await keyv.get("binding:server")).toBe("tutor");
    await keyv.set("record:b", { from: "keyv" }, 60_000);
    expect(await keys.get("record:b")).toEqual({ from: "keyv" });
    expect(await keys.getMany(["binding:server", "missing", "record:b"])).toEqual([
      "tutor",
      undefined,
      { from: "keyv" },
    ]);
  });

  it("hands out copies: changing what was written or read changes nothing stored", async () => {
    const { keys } = memoryAt(1_000);
    const written = { list: ["kept"] };
    await keys.set("record:a", written);
    written.list.push("changed after");
    const read = (await keys.get("record:a")) as { list: string[] };
    expect(read).toEqual({ list: ["kept"] });
    read.list.push("changed by a reader");
    expect(await keys.get("record:a")).toEqual({ list: ["kept"] });
  });

  it("reads an entry past its TTL as absent and deletes it; no TTL (or 0) never expires", async () => {
    const { keyv, keys, clock } = memoryAt(1_000);
    await keys.set("record:short", "v", 50);
    await keys.set("record:forever", "v");
    await keys.set("record:zero", "v", 0);
    clock.now = 1_050;
    expect(await keys.get("record:short")).toBe("v");
    clock.now = 1_051_000_000;
    expect(await keys.getMany(["record:short", "record:forever", "record:zero"])).toEqual([
      undefined,
      "v",
      "v",
    ]);
    const map = keyv.store as Map<string, unknown>;
    expect(map.has("troupe:record:short")).toBe(false);
    expect(map.has("troupe:record:forever")).toBe(true);
  });

  it("reads a value that does not parse as an UnreadableValue, which the store logs and reads as absent", async () => {
    const { keyv, keys, setIfAbsent, sweepExpired } = openMemory();
    const map = keyv.store as Map<string, unknown>;
    map.set("troupe:binding:server", "{not json");
    expect(await keys.get("binding:server")).toBeInstanceOf(UnreadableValue);
    const logger = createRecordingLogger();
    const store = createKeyvStore(
      keyv,
      { historyTtlMs: 60_000, maxTurns: 5 },
      {
        keys,
        setIfAbsent,
        sweepExpired,
        logger,
      },
    );
    expect(await store.getBindings(["server", "channel"])).toEqual([undefined, undefined]);
    expect(logger.lines.some((line) => line.message === "ignoring an unreadable stored value")).toBe(true);
    await store.close();
  });

  it("deletes a key, saying whether it was there", async () => {
    const { keys } = memoryAt(1_000);
    await keys.set("binding:server", "tutor");
    expect(await keys.delete("binding:server")).toBe(true);
    expect(await keys.delete("binding:server")).toBe(false);
    expect(await keys.get("binding:server")).toBeUndefined();
  });
});
