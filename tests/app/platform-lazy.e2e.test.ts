/**
 * A configuration loads only what it asks for (start-up time and memory: bench/lean.ts): a
 * Discord bot on Ollama with a SQLite store loads neither Bolt, nor the openai SDK, nor Redis's
 * client, nor the terminal chat. src/main.ts runs as a child process with the import-trace preload
 * (tests/fixtures/import-trace.mjs), which lists every module it resolved when it exits.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { type FakeDiscord, startFakeDiscord } from "../fakes/fake-discord/fake-discord.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { repoRoot } from "../helpers/run-troupe.js";

let ollama: FakeOllama;
let discord: FakeDiscord;
let dir: string;

beforeAll(async () => {
  ollama = await startFakeOllama();
  discord = await startFakeDiscord();
  dir = mkdtempSync(join(tmpdir(), "troupe-platform-lazy-"));
});
afterAll(async () => {
  await discord.close();
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

it("a Discord bot on Ollama and SQLite loads neither Bolt, openai, Redis's client nor the terminal chat", async () => {
  const traceFile = join(dir, "trace.json");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--import", "./tests/fixtures/import-trace.mjs", "src/main.ts"],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        OLLAMA_HOST: ollama.host,
        MODEL_PROVIDER: "ollama",
        STORE_URL: `sqlite://${join(dir, "troupe.sqlite")}`,
        IMPORT_TRACE_FILE: traceFile,
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  try {
    for (const deadline = Date.now() + 60_000; !stderr.includes('"msg":"ready"'); ) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`troupe never got ready:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  } finally {
    child.kill("SIGKILL");
  }
  const urls = z.array(z.string()).parse(JSON.parse(readFileSync(traceFile, "utf8")));
  // Proof the trace saw the run: what this configuration needs is in it.
  for (const needed of ["/node_modules/discord.js/", "/node_modules/ollama/", "/node_modules/sqlite3/"])
    expect(urls.some((url) => url.includes(needed))).toBe(true);
  for (const unused of [
    "/node_modules/@slack/",
    "/node_modules/openai/",
    "/node_modules/@keyv/redis/",
    "/node_modules/@redis/",
    "/src/connectors/slack/",
    "/src/connectors/console/",
    "/src/model/openai/",
  ])
    expect(urls.filter((url) => url.includes(unused))).toEqual([]);
});
