/**
 * V8's young generation kept at its starting size while troupe starts, released once it is ready.
 * Start-up makes mostly long-lived objects (modules, schemas, clients); each scavenge sees most of
 * them survive and doubles the semi-spaces for it, so a bot that just connected held 16–32 MB of
 * young generation that idle never uses, and V8's memory reducer hands it back only 10–30 s later
 * (`npm run bench -- start` reads RSS 2 s after connecting). Growth factor 1 while starting keeps
 * them at 1 MB each; back to V8's default (2) at ready, so a burst of events grows them as before
 * (per-event CPU unchanged: `npm run bench -- slack-load`). V8 reads the factor whenever it grows
 * the young generation, so it is set at run time (on node's command line V8 raises a factor below 2
 * to 2 when it sets the heap up); this module sets it when evaluated, which is why src/main.ts
 * imports it first and bin/troupe.js runs it before the bundle's main.js (whose chunks evaluate
 * before main.js's own first line). A young generation size chosen on node's command line is left
 * as it is.
 */
import { setFlagsFromString } from "node:v8";

const V8_DEFAULT_GROWTH_FACTOR = 2;

/** Whether node was started with its own choice of young generation size or growth. */
export function youngGenerationChosen(execArgv: readonly string[]): boolean {
  return execArgv.some((arg) =>
    /^--(semi[-_]space[-_]growth[-_]factor|(min|max)[-_]semi[-_]space[-_]size)\b/.test(arg),
  );
}

const held = !youngGenerationChosen(process.execArgv);
if (held) setFlagsFromString("--semi-space-growth-factor=1");

/** Lets the young generation grow again as V8 would (call once troupe is ready). */
export function releaseYoungGeneration(): void {
  if (held) setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH_FACTOR}`);
}
