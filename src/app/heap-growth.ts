/**
 * How far V8 lets the heap grow past what is alive before it collects. Under a burst of events the
 * default lets the old generation grow to several times the live heap after each collection, and
 * troupe's answers keep more in flight than a bare bot's (prompt, history, stream layers): after a
 * 2,000-conversation Slack burst ~210 MB of old space stayed committed around ~30 MB alive, and it
 * kept growing over a 10,000-conversation soak (`npm run bench -- lean`). Growing by at most 2×
 * keeps it near what is alive (73 MB committed, RSS 328 → 241 MB), for no CPU per event measurable
 * in `npm run bench -- slack-load`. Set first thing in src/main.ts, so every way troupe runs
 * (npm start, the image, systemd, npx) gets it; a --heap-growing-percent on node's command line wins.
 */
import { setFlagsFromString } from "node:v8";

const GROWING_PERCENT = 100;

/** The V8 flag troupe sets, or undefined when node was started with its own growing percent. */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return undefined;
  return `--heap-growing-percent=${GROWING_PERCENT}`;
}

export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  const flag = heapGrowthFlag(execArgv);
  if (flag !== undefined) setFlagsFromString(flag);
}
