/**
 * Not part of `npm run bench`: one slack-load round with every side under `node --cpu-prof`, each
 * profile in `<dir>/<side>/`: `npx tsx bench/profile-slack-load.ts /tmp/prof [bare,memory,sqlite]`.
 * bench/cpu-profile-summary.ts then sums a profile's self time per package and per function.
 * A third argument `alloc` samples every allocation instead (bench/alloc-profile-preload.mjs), `heap`
 * takes `node --heap-prof`'s live objects at exit.
 */
import { benchSlackLoad, formatSlackLoad, type LoadSideName } from "./slack-http-load.js";

const dir = process.argv[2] ?? "/tmp/troupe-slack-prof";
const sides = (process.argv[3] ?? "bare,memory").split(",") as LoadSideName[];
const kinds = { heap: "heap-prof", alloc: "alloc" } as const;
const profileKind = kinds[process.argv[4] as keyof typeof kinds] ?? "cpu-prof";
const figures = await benchSlackLoad({ profileDir: dir, rounds: 1, sides, profileKind });
for (const line of formatSlackLoad(figures)) console.log(line);
