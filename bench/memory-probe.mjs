/**
 * The soak bench's window into a bot's heap, loaded only by the bench (NODE_OPTIONS=--import) and
 * never by troupe itself: on SIGUSR2 it runs a full garbage collection, then writes
 * process.memoryUsage() as JSON to `<TROUPE_BENCH_PROBE_DIR>/<pid>.json`, with V8's own account beside
 * it (committed size per heap space, malloced memory); with
 * TROUPE_BENCH_SNAPSHOTS=1 it also writes a heap snapshot there (numbered) for diffing object counts.
 * Plain JavaScript so it loads before any TypeScript loader, in npm, tsx and the bot alike; only
 * the process the bench signals answers. The collection comes from V8's flag at run time, so the
 * bot is started without --expose-gc and runs as it always does until it is signalled.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString, writeHeapSnapshot } from "node:v8";
import { runInNewContext } from "node:vm";

const dir = process.env.TROUPE_BENCH_PROBE_DIR;
if (dir !== undefined && dir !== "") {
  let snapshots = 0;
  process.on("SIGUSR2", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc");
    gc();
    const usage = process.memoryUsage();
    if (process.env.TROUPE_BENCH_SNAPSHOTS === "1") {
      snapshots += 1;
      writeHeapSnapshot(join(dir, `${process.pid}-${snapshots}.heapsnapshot`));
    }
    // V8's own account beside the process's: committed vs used per space, and what it mallocs.
    const heap = getHeapStatistics();
    const spaces = Object.fromEntries(
      getHeapSpaceStatistics().map((space) => [space.space_name, Math.round(space.space_size / 1048576)]),
    );
    writeFileSync(
      join(dir, `${process.pid}.json`),
      JSON.stringify({
        at: Date.now(),
        ...usage,
        physical: heap.total_physical_size,
        malloced: heap.malloced_memory,
        peakMalloced: heap.peak_malloced_memory,
        spacesMb: spaces,
      }),
    );
  });
}
