/**
 * discord.js and Bolt take about half a second to load: the terminal chat (no platform tokens)
 * must load neither. src/main.ts runs as a child process with the import-trace preload
 * (tests/fixtures/import-trace.mjs), which lists every module it resolved when it exits.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { type FakeOllama, startFakeOllama } from "../../fakes/fake-ollama.js";
import { runCommand } from "../../helpers/run-troupe.js";

let ollama: FakeOllama;
let dir: string;

beforeAll(async () => {
  ollama = await startFakeOllama();
  dir = mkdtempSync(join(tmpdir(), "troupe-lazy-"));
});
afterAll(async () => {
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

it("answers in the terminal chat without loading discord.js or @slack/bolt", async () => {
  const traceFile = join(dir, "trace.json");
  const run = await runCommand(
    process.execPath,
    ["--import", "tsx", "--import", "./tests/fixtures/import-trace.mjs", "src/main.ts"],
    {
      env: {
        OLLAMA_HOST: ollama.host,
        STORE_URL: `sqlite://${join(dir, "troupe.sqlite")}`,
        IMPORT_TRACE_FILE: traceFile,
      },
      input: "hello\n",
    },
  );
  expect(run.stdout).toBe("echo: hello\n");
  expect(run.code).toBe(0);
  const urls = z.array(z.string()).parse(JSON.parse(readFileSync(traceFile, "utf8")));
  // Proof the trace saw the run: the terminal chat and the model client are in it.
  expect(urls.some((url) => url.includes("/src/connectors/console/"))).toBe(true);
  expect(urls.some((url) => url.includes("/node_modules/ollama/"))).toBe(true);
  for (const heavy of ["/node_modules/discord.js/", "/node_modules/@discordjs/", "/node_modules/@slack/"])
    expect(urls.filter((url) => url.includes(heavy))).toEqual([]);
  expect(
    urls.filter((url) => url.includes("/src/connectors/discord/") || url.includes("/src/connectors/slack/")),
  ).toEqual([]);
});
