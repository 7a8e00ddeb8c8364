/**
 * The persona folder's safety through the real process: `npm start` piped, with a FIFO and a link
 * to a file outside the folder in PERSONAS_DIR. troupe starts, answers, ends, and its log names
 * both skipped entries; nothing of the outside file reaches the model or the screen.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { repoRoot, runTroupe } from "../helpers/run-troupe.js";
import { createTempDir, removeTempDir } from "./persona-test-helpers.js";

let ollama: FakeOllama;
let root: string;

beforeAll(async () => {
  ollama = await startFakeOllama();
});
afterAll(async () => {
  await ollama.close();
});
beforeEach(async () => {
  root = await createTempDir();
  return () => removeTempDir(root);
});

it("starts with a FIFO and an outside link in PERSONAS_DIR, answers, and names both in the log", async () => {
  const personas = join(root, "personas");
  mkdirSync(personas);
  copyFileSync(join(repoRoot, "personas", "tutor.md"), join(personas, "tutor.md"));
  writeFileSync(join(root, "secret.md"), "---\nname: leak\n---\nTHE SECRET PROMPT");
  symlinkSync(join(root, "secret.md"), join(personas, "leak.md"));
  execFileSync("mkfifo", [join(personas, "pipe.md")]);
  const before = ollama.chatBodies().length;

  const run = await runTroupe(
    {
      OLLAMA_HOST: ollama.host,
      STORE_URL: `sqlite://${join(root, "troupe.sqlite")}`,
      PERSONAS_DIR: personas,
    },
    "/persona\nhello\n",
  );

  expect(run.code).toBe(0);
  expect(run.stdout.trimEnd().endsWith("echo: hello")).toBe(true);
  // Warnings are JSON lines at pino's level 40.
  const skipped = run.stderr
    .split("\n")
    .filter((line) => line.startsWith('{"level":40,'))
    .join("\n");
  expect(skipped).toContain(`skipping ${join(personas, "pipe.md")}: it is a named pipe (FIFO)`);
  expect(skipped).toContain(
    `skipping ${join(personas, "leak.md")}: it is a link to ${join(root, "secret.md")}`,
  );
  expect(run.stdout).not.toContain("leak");
  expect(`${run.stdout}${run.stderr}`).not.toContain("THE SECRET PROMPT");
  const bodies = ollama.chatBodies().slice(before);
  expect(bodies.map((body) => body.messages.at(-1)?.content)).toEqual(["hello"]);
  expect(bodies[0]?.messages[0]?.content).toMatch(/tutor/i);
  expect(JSON.stringify(bodies)).not.toContain("THE SECRET PROMPT");
});
