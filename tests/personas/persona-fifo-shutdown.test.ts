/**
 * A FIFO added to the persona folder while troupe runs must not stop hot reload nor shutdown. Run
 * in a child process because the failure is a process that never ends: a blocked open() holds a
 * libuv thread, and process.exit waits for it.
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { repoRoot } from "../helpers/run-troupe.js";
import { createTempDir, removeTempDir } from "./persona-test-helpers.js";

let root: string;
beforeEach(async () => {
  root = await createTempDir();
});
afterEach(async () => {
  await removeTempDir(root);
});

/** Runs the child; a child still running after the bound is killed, which the test then reports. */
function runChild(dir: string): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "tests/personas/fixtures/fifo-while-running-child.ts", dir],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] },
    );
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    const bound = setTimeout(() => child.kill("SIGKILL"), 25_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(bound);
      resolve({ code, signal, stdout });
    });
  });
}

it("a FIFO added while running is skipped, later files still load, and shutdown completes", async () => {
  const dir = join(root, "personas");
  await mkdir(dir);
  await writeFile(join(dir, "tutor.md"), "Teach.");

  const run = await runChild(dir);

  expect(run.signal, "the child had to be killed: it never ended").toBeNull();
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout) as { warnings: string[]; personas: string[] };
  expect(report.personas).toEqual(["coder", "tutor"]);
  expect(report.warnings).toEqual([
    `skipping ${join(dir, "pipe.md")}: it is a named pipe (FIFO), not a regular file; not loaded`,
  ]);
}, 40_000);
