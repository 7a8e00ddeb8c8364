/**
 * scripts/dist.js, the rule for when `npm start` may run the bundle built ahead: only while no
 * source file, source folder or setting changed since its build started. Each case works on a
 * scratch checkout (the repository's sources linked in, its settings copied), so the repository's
 * own dist/bundle is never touched while other tests run troupe.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
// @ts-expect-error: plain JavaScript (it runs before anything is compiled), no type declarations.
import * as dist from "../../scripts/dist.js";
import { startFakeOllama } from "../fakes/fake-ollama.js";
import { repoRoot } from "../helpers/run-troupe.js";

const bundleIsFresh = dist.bundleIsFresh as (root: string) => boolean;
const buildBundle = dist.buildBundle as (root: string) => Promise<boolean>;

let root: string;
const bundle = () => join(root, "dist", "bundle");

/** A checkout whose dist/bundle was built `agoMs` ago (a stand-in main.js, a real stamp). */
function stamped(agoMs: number): void {
  mkdirSync(bundle(), { recursive: true });
  writeFileSync(join(bundle(), "main.js"), 'console.log("from the bundle");\n');
  writeFileSync(join(bundle(), ".built-at"), String(Date.now() - agoMs));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "troupe-dist-"));
  symlinkSync(join(repoRoot, "src"), join(root, "src"));
  symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"));
  // A copy, so a test can add a file to a source folder without touching the repository's.
  cpSync(join(repoRoot, "commands"), join(root, "commands"), { recursive: true, preserveTimestamps: true });
  for (const file of ["package.json", "tsconfig.json"]) copyFileSync(join(repoRoot, file), join(root, file));
  // The copies were just written: a build that started a second ago must still count as older.
  const past = new Date(Date.now() - 60_000);
  utimesSync(join(root, "commands"), past, past);
  for (const file of ["package.json", "tsconfig.json"]) utimesSync(join(root, file), past, past);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("bundleIsFresh", () => {
  it("is fresh when nothing changed since the build started", () => {
    stamped(1_000);
    expect(bundleIsFresh(root)).toBe(true);
  });

  it("is stale when a setting changed after the build started", () => {
    stamped(1_000);
    const now = new Date();
    utimesSync(join(root, "package.json"), now, now);
    expect(bundleIsFresh(root)).toBe(false);
  });

  it("is stale when a file was added to a source folder", () => {
    stamped(1_000);
    writeFileSync(join(root, "commands", "extra.ts"), "export {};\n");
    expect(bundleIsFresh(root)).toBe(false);
  });

  it("is stale without a stamp, with a broken stamp, or without main.js", () => {
    expect(bundleIsFresh(root)).toBe(false);
    stamped(1_000);
    writeFileSync(join(bundle(), ".built-at"), "not a time");
    expect(bundleIsFresh(root)).toBe(false);
    stamped(1_000);
    rmSync(join(bundle(), "main.js"));
    expect(bundleIsFresh(root)).toBe(false);
  });
});

describe("buildBundle", () => {
  it("builds troupe into dist/bundle, fresh and in ASCII, and the bundle runs", async () => {
    expect(await buildBundle(root)).toBe(true);
    expect(bundleIsFresh(root)).toBe(true);
    const run = spawnSync(process.execPath, [join(bundle(), "main.js"), "--version"], { encoding: "utf8" });
    const { version } = z
      .object({ version: z.string() })
      .parse(JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")));
    expect(run.stdout).toContain(version);
    expect(run.status).toBe(0);
    // ASCII only: Node holds a file with any character past U+00FF as a two-byte string.
    const notAscii = readdirSync(bundle())
      .filter((file) => file.endsWith(".js"))
      .filter((file) => readFileSync(join(bundle(), file)).some((byte) => byte > 0x7f));
    expect(notAscii).toEqual([]);

    // An answer loads the chunks the bundle imports only when first needed (the HTTP pool).
    const ollama = await startFakeOllama();
    try {
      const chat = spawn(process.execPath, [join(bundle(), "main.js")], {
        env: {
          PATH: process.env.PATH,
          HOME: root,
          OLLAMA_HOST: ollama.host,
          MODEL_PROVIDER: "ollama",
          STORE_URL: "memory://",
          PERSONAS_DIR: join(repoRoot, "personas"),
        },
      });
      let stdout = "";
      chat.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      chat.stdin.end("What is a prime?\n");
      const code = await new Promise((resolve) => chat.once("close", resolve));
      expect(stdout).toContain("echo: What is a prime?");
      expect(code).toBe(0);
    } finally {
      await ollama.close();
    }
  }, 180_000);

  it("builds nothing, and says so, where there are no sources yet (a container's dependency layer)", async () => {
    rmSync(join(root, "src"));
    expect(await buildBundle(root)).toBe(false);
    expect(existsSync(bundle())).toBe(false);
  });
});
