/**
 * dist/bundle/, troupe built ahead for `npm start` (by `npm install` and `npm ci`, through
 * `prepare`), and the one rule for when it may run: only when it was built from the sources as
 * they are now. A build records when it started in dist/bundle/.built-at once it succeeded; the
 * bundle is fresh while no source file, folder (a file added or removed) or setting changed since.
 * An edited source therefore never runs stale: `npm start` runs it through tsx instead (slower to
 * start, never wrong) until the next `npm install` or `npm run bundle`.
 *
 * Why a bundle and not tsc's one file per module: loading is most of start-up, and most of loading
 * is finding, reading and linking files one by one (troupe's ~200, discord.js's and Bolt's
 * hundreds). esbuild puts troupe and its JavaScript dependencies in a few files, and one per
 * lazily imported part (a platform, a store backend, a provider), so a part stays unloaded unless
 * the configuration asks for it. Native and optional modules stay outside, loaded from
 * node_modules as before. esbuild is a dependency (package.json); the container image keeps tsc's
 * dist/src (`npm run build`).
 * Plain JavaScript, so it runs before anything is compiled, on every platform Node runs on.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export const repoRoot = join(import.meta.dirname, "..");
/** Where a checkout at `root` keeps its bundle (the tests pass a scratch checkout's root). */
const bundleDir = (root) => join(root, "dist", "bundle");
export const bundleMain = join(bundleDir(repoRoot), "main.js");
/**
 * Run before main.js (bin/troupe.js): V8's young generation held at its starting size while troupe
 * starts (src/app/start-up-young-generation.ts). Its own entry, because main.js evaluates the
 * chunks it imports before its own first line; main.js imports the same module, evaluated once.
 */
export const bundleStartUp = join(bundleDir(repoRoot), "start-up-young-generation.js");
const sourceDirs = ["src", "commands"];
// scripts/dist.js too: a change to how the bundle is built is a change to the bundle.
const settingFiles = ["package.json", "package-lock.json", "tsconfig.json", "scripts/dist.js"];

/**
 * Loaded from node_modules at run time: native addons, their optional helpers, node-llama-cpp
 * (native, and imported only by the embedded provider) and OpenTelemetry (only with traces).
 * Also two of Bolt's that are mostly data: iconv-lite (500 KB, nearly all of it encoding tables
 * that body-parser loads only for a body in another charset) and mime-db (a 150 KB JSON file,
 * which JSON.parse reads faster than V8 parses it as a bundled object literal). Bundled, both were
 * parsed at every start and their text held for good; from node_modules, Node reads what is
 * used. Each exists in one version, which npm puts at the top of node_modules.
 */
const external = [
  "sqlite3",
  "sqlite-vec",
  "sqlite-vec-*",
  "node-llama-cpp",
  "@node-llama-cpp/*",
  "@opentelemetry/*",
  "bufferutil",
  "utf-8-validate",
  "zlib-sync",
  "iconv-lite",
  "mime-db",
];

/** The latest change under `path`: its own mtime, and, for a folder, everything inside it. */
function newestChangeMs(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChangeMs(join(path, entry)));
  return newest;
}

/** Whether dist/bundle/ holds the sources as they are now. */
export function bundleIsFresh(root = repoRoot) {
  try {
    const builtAt = Number(readFileSync(join(bundleDir(root), ".built-at"), "utf8"));
    if (!Number.isFinite(builtAt) || !existsSync(join(bundleDir(root), "main.js"))) return false;
    const paths = [...sourceDirs, ...settingFiles].map((path) => join(root, path));
    return paths.every((path) => !existsSync(path) || newestChangeMs(path) < builtAt);
  } catch {
    return false;
  }
}

/**
 * Bundles src/main.ts into dist/bundle/. Returns false without building when the sources or
 * esbuild are not there (a container's dependency layer, before the sources are copied in).
 */
export async function buildBundle(root = repoRoot) {
  if (!sourceDirs.every((dir) => existsSync(join(root, dir)))) return false;
  const outDir = bundleDir(root);
  let esbuildPath;
  try {
    esbuildPath = createRequire(join(root, "package.json")).resolve("esbuild");
  } catch {
    return false;
  }
  const { build } = await import(esbuildPath);
  rmSync(outDir, { recursive: true, force: true });
  // Stamped with the start, so a source saved while the build runs leaves the bundle stale, as it is.
  const startedAt = Date.now();
  await build({
    absWorkingDir: root,
    entryPoints: [
      { in: "src/main.ts", out: "main" },
      { in: "src/app/start-up-young-generation.ts", out: "start-up-young-generation" },
    ],
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external,
    // Smaller text parses faster; names stay, so error names and stack frames still read.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    // Licence comments go to <chunk>.LEGAL.txt beside each chunk: one non-ASCII character (a name
    // in one) would make Node hold that whole chunk as a two-byte string, twice its size in memory.
    // esbuild escapes everything else but regular expressions (tests/scripts/dist.test.ts checks).
    legalComments: "external",
    // CommonJS dependencies call require() (Node's built-ins, the external packages): an ES module
    // has none of its own, so each chunk gets one.
    banner: {
      js: 'import{createRequire as __troupeRequire}from"node:module";const require=__troupeRequire(import.meta.url);',
    },
    logLevel: "warning",
  });
  writeFileSync(join(outDir, ".built-at"), String(startedAt));
  return true;
}
