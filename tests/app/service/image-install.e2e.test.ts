/**
 * The image's recipe run for real, without Docker: the repository's files copied to a clean
 * folder, `npm ci --omit=dev` there (sqlite3 builds from source: a couple of minutes), the build
 * output (`tsc -p tsconfig.build.json`) put in its dist/, the Dockerfile's own trimming step run
 * as written (the embedded engine's binaries for other machines and sqlite3's build leftovers
 * removed), then the image's command,
 * `node dist/src/main.js`: `--version`, a short service start against the fakes (ready, /readyz
 * 200, SIGTERM, exit 0) and one answer from the embedded engine on a tiny model file, which shows
 * the trimmed node-llama-cpp still loads its binary.
 *
 * npm is asked to prefer its cache (--prefer-offline): what the cache lacks comes from the npm
 * registry, as in the image's build stage.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeDiscord } from "../../fakes/fake-discord/fake-discord.js";
import { startFakeOllama } from "../../fakes/fake-ollama.js";
import { writeTinyLlama } from "../../fixtures/tiny-llama.js";
import { freePort } from "../../helpers/free-port.js";
import { repoRoot, runCommand } from "../../helpers/run-troupe.js";

let copy: string;

/** The Dockerfile's build-stage RUN that follows `ARG TARGETARCH`: the trimming step, as written. */
function trimmingStep(): string {
  const text = readFileSync(join(repoRoot, "Dockerfile"), "utf8")
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ");
  const lines = text.split("\n").map((line) => line.trim());
  const arg = lines.indexOf("ARG TARGETARCH");
  const run = lines.slice(arg + 1).find((line) => line.startsWith("RUN "));
  if (arg === -1 || run === undefined)
    throw new Error("the Dockerfile has no trimming step after ARG TARGETARCH");
  return run.slice("RUN ".length);
}

const TARGET_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm" };

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "troupe-image-"));
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard"], {
    cwd: repoRoot,
    encoding: "utf8",
  })
    .split("\n")
    .filter((file) => file.length > 0);
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(copy, file));
  }
  execFileSync("npm", ["ci", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"], {
    cwd: copy,
    stdio: "ignore",
  });
  execFileSync(
    process.execPath,
    [
      join(repoRoot, "node_modules/typescript/bin/tsc"),
      "-p",
      "tsconfig.build.json",
      "--outDir",
      join(copy, "dist"),
    ],
    { cwd: repoRoot, stdio: "inherit" },
  );
  execFileSync("sh", ["-c", trimmingStep()], {
    cwd: copy,
    env: { ...process.env, TARGETARCH: TARGET_ARCH[process.arch] ?? process.arch },
    stdio: "inherit",
  });
}, 600_000);

afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

/** The image's command in the clean copy: `node dist/src/main.js`, nothing of the repository's. */
function image(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["dist/src/main.js"], {
    cwd: copy,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

describe("the image's recipe on a clean copy", () => {
  it("installs only production dependencies and keeps one embedded-engine binary", () => {
    expect(() =>
      execFileSync("node", ["-e", "require.resolve('vitest')"], { cwd: copy, stdio: "ignore" }),
    ).toThrow();
    const kept = execFileSync("ls", [join(copy, "node_modules/@node-llama-cpp")], {
      encoding: "utf8",
    }).trim();
    expect(kept.split("\n")).toEqual([`linux-${process.arch === "arm" ? "armv7l" : process.arch}`]);
  });

  it("prints its version with node on the build output", async () => {
    const run = await runCommand(process.execPath, [join(copy, "dist/src/main.js"), "--version"]);
    const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      version: string;
    };
    expect(run.stdout).toBe(`troupe ${version}\n`);
    expect(run.code).toBe(0);
  });

  it("starts as a service against the fakes, turns ready, and stops cleanly on SIGTERM", async () => {
    const [ollama, discord] = [await startFakeOllama(), await startFakeDiscord()];
    const metricsPort = await freePort();
    const child = image({
      OLLAMA_HOST: ollama.host,
      // SQLite: the native module kept by the trimming step must load.
      STORE_URL: `sqlite://${join(copy, "data", "troupe.sqlite")}`,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: "127.0.0.1",
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      let ready = 0;
      for (const deadline = Date.now() + 30_000; ready !== 200 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        ready = await fetch(`http://127.0.0.1:${metricsPort}/readyz`).then(
          (response) => response.status,
          () => 0,
        );
      }
      expect(ready, stderr).toBe(200);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(stderr).toContain('"msg":"ready"');
      expect(stderr).not.toMatch(/unhandled rejection|uncaught exception/i);
    } finally {
      child.kill("SIGKILL");
      await discord.close();
      await ollama.close();
    }
  });

  it("answers with the embedded engine, its binary found after the trimming", async () => {
    const modelPath = writeTinyLlama(copy, "tiny.gguf", { steering: { script: "pong!" } });
    const run = await runCommand(process.execPath, [join(copy, "dist/src/main.js")], {
      env: {
        MODEL_PROVIDER: "embedded",
        EMBEDDED_MODEL: modelPath,
        EMBEDDED_THREADS: "1",
        STORE_URL: "memory://",
      },
      input: "ping\n",
    });
    expect(run.stdout).toBe("pong!\n");
    expect(run.code).toBe(0);
  });
});
