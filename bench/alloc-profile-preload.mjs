/**
 * Not part of `npm run bench`: loaded with `node --import` by bench/profile-slack-load.ts's `alloc`
 * mode. `node --heap-prof` keeps only the objects still alive when it writes (a store's contents),
 * not the allocation rate that drives GC; the inspector's sampling heap profiler with the collected
 * objects included gives every sampled allocation. Written to $ALLOC_PROFILE_DIR on exit.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const dir = process.env.ALLOC_PROFILE_DIR ?? "/tmp";
const session = new Session();
session.connect();
session.post("HeapProfiler.startSampling", {
  samplingInterval: 16384,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
process.on("exit", () => {
  // The in-process session answers synchronously, so this still runs inside the exit handler.
  session.post("HeapProfiler.stopSampling", (error, result) => {
    if (error !== null) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `alloc-${process.pid}.heapprofile`), JSON.stringify(result.profile));
  });
});
