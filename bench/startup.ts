/**
 * Time from `npm start` to ready: the process is spawned with piped input held open, against the
 * fake Ollama on loopback, and the clock stops at its "ready" log line.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeOllama } from "../tests/fakes/fake-ollama.js";
import { repoRoot } from "../tests/helpers/run-troupe.js";
import { type Summary, summarize } from "./stats.js";

function timeToReady(env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("npm", ["start"], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      if (stderr.includes('"msg":"ready"')) {
        const elapsed = performance.now() - started;
        child.stdin.end();
        child.once("close", () => resolve(elapsed));
      }
    });
    child.once("close", (code) => {
      if (!stderr.includes('"msg":"ready"'))
        reject(new Error(`troupe exited ${code} before ready:\n${stderr}`));
    });
  });
}

export async function benchStartup(runs = 5): Promise<Summary> {
  const ollama = await startFakeOllama();
  const dir = mkdtempSync(join(tmpdir(), "troupe-bench-"));
  try {
    const timings: number[] = [];
    for (let run = 0; run < runs; run++) {
      timings.push(
        await timeToReady({ OLLAMA_HOST: ollama.host, STORE_URL: `sqlite://${join(dir, "bench.sqlite")}` }),
      );
    }
    return summarize(timings);
  } finally {
    await ollama.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
