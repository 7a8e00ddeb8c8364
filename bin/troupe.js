#!/usr/bin/env node
/**
 * `npm start` and `npx troupe`: troupe built ahead (dist/bundle/, by `npm install`) when it was
 * built from the sources as they are now, else straight from its TypeScript sources through tsx's
 * loader (about a second and 30 MB more at start, but never a stale build: scripts/dist.js decides).
 * This process runs troupe itself, so signals reach it directly. Nothing of npm's own is printed on
 * standard output, so `echo "hi" | npx troupe > answer.md` holds only the answer. Flags pass
 * straight through: `npx troupe --continue`, `npx troupe --help`.
 */
import { pathToFileURL } from "node:url";
import { bundleIsFresh, bundleMain, bundleStartUp } from "../scripts/dist.js";

if (bundleIsFresh()) {
  // First, before any of troupe's modules run (src/main.ts imports it first for the same reason).
  await import(pathToFileURL(bundleStartUp).href);
  await import(pathToFileURL(bundleMain).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}
