/**
 * Not part of `npm run bench`: where a `node --cpu-prof` profile's time went, as self time summed
 * per package (or source file) and per function, largest first. Samples before the first one whose
 * stack holds a function matching `--from` are left out (start-up: module loading, compiling).
 *
 *   npx tsx bench/cpu-profile-summary.ts <file.cpuprofile> [--top 30] [--from 'screen|processEvent']
 *
 * Self time, not total: a profile's stacks stop at each await, so "total" would miss most of an
 * answer's work; the sum of self times is exact.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

const [file, ...flags] = process.argv.slice(2);
if (file === undefined)
  throw new Error("usage: cpu-profile-summary.ts <file.cpuprofile> [--top N] [--from regex]");
const flag = (name: string) => {
  const at = flags.indexOf(name);
  return at === -1 ? undefined : flags[at + 1];
};
const top = Number(flag("--top") ?? 30);
const from = flag("--from") === undefined ? undefined : new RegExp(flag("--from") ?? "");

const profile = profileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, "")
    .replace(/.*node_modules\//, "npm:")
    .replace(`${process.cwd()}/`, "");
const packageOf = (url: string) => {
  if (url === "") return "(native)";
  if (url.startsWith("npm:")) {
    const parts = url.slice(4).split("/");
    return `npm:${parts[0]?.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]}`;
  }
  return url.startsWith("node:") ? (url.split("/")[0] ?? url) : url;
};

function stackMatches(id: number, pattern: RegExp): boolean {
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    if (pattern.test(nodes.get(at)?.callFrame.functionName ?? "")) return true;
  }
  return false;
}

const first = from === undefined ? 0 : profile.samples.findIndex((id) => stackMatches(id, from));
const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
let totalUs = 0;
for (let index = Math.max(0, first); index < profile.samples.length; index++) {
  const node = nodes.get(profile.samples[index] ?? -1);
  const us = profile.timeDeltas[index + 1] ?? 0;
  if (node === undefined) continue;
  const url = shortUrl(node.callFrame.url);
  const name = `${node.callFrame.functionName || "(anonymous)"} ${url || "(native)"}:${node.callFrame.lineNumber + 1}`;
  byPackage.set(packageOf(url), (byPackage.get(packageOf(url)) ?? 0) + us);
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  totalUs += us;
}

for (const [title, table] of [
  ["per package or file", byPackage],
  ["per function", byFunction],
] as const) {
  console.log(`${title} (self time; ${Math.round(totalUs / 1000)} ms sampled):`);
  for (const [key, us] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${String(Math.round(us / 1000)).padStart(6)} ms  ${key}`,
    );
  }
}
