/**
 * bin/troupe.js, what `npm start` runs: the bundle built ahead while it is fresh, the TypeScript
 * sources through tsx once it is not (scripts/dist.js owns the rule; tests/scripts/dist.test.ts
 * checks it), and troupe in that very process, so the SIGTERM npm passes on stops it cleanly.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type FakeDiscord, startFakeDiscord } from "../fakes/fake-discord/fake-discord.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { repoRoot } from "../helpers/run-troupe.js";

describe("bin/troupe.js in a scratch checkout", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "troupe-bin-"));
    for (const linked of ["src", "commands", "node_modules", "personas"])
      symlinkSync(join(repoRoot, linked), join(root, linked));
    for (const copied of ["bin", "scripts"])
      cpSync(join(repoRoot, copied), join(root, copied), { recursive: true, preserveTimestamps: true });
    const past = new Date(Date.now() - 60_000);
    for (const file of ["package.json", "tsconfig.json"]) {
      copyFileSync(join(repoRoot, file), join(root, file));
      utimesSync(join(root, file), past, past);
    }
    // A stand-in bundle "built" a second ago, so which of the two ran shows on standard output,
    // and whether the young generation's hold (its own entry) ran before main.js.
    mkdirSync(join(root, "dist", "bundle"), { recursive: true });
    writeFileSync(join(root, "dist", "bundle", "start-up-young-generation.js"), 'console.log("held");\n');
    writeFileSync(join(root, "dist", "bundle", "main.js"), 'console.log("from the bundle");\n');
    writeFileSync(join(root, "dist", "bundle", ".built-at"), String(Date.now() - 1_000));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const run = () =>
    spawnSync(process.execPath, [join(root, "bin", "troupe.js"), "--version"], { encoding: "utf8" });

  it("runs the bundle while it is fresh, its young generation held first", () => {
    const result = run();
    expect(result.stdout).toBe("held\nfrom the bundle\n");
  });

  it("runs the sources through tsx once a setting changed after the build", () => {
    const now = new Date();
    utimesSync(join(root, "package.json"), now, now);
    const { version } = z
      .object({ version: z.string() })
      .parse(JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")));
    const result = run();
    expect(result.stdout).not.toContain("from the bundle");
    expect(result.stdout).toContain(version);
    expect(result.status).toBe(0);
  }, 60_000);
});

describe("npm start and SIGTERM", () => {
  let ollama: FakeOllama;
  let discord: FakeDiscord;
  beforeAll(async () => {
    ollama = await startFakeOllama();
    discord = await startFakeDiscord();
  });
  afterAll(async () => {
    await discord.close();
    await ollama.close();
  });

  it("a SIGTERM to npm reaches troupe, which stops cleanly and exits 0", async () => {
    const child = spawn("npm", ["start", "--silent"], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        OLLAMA_HOST: ollama.host,
        MODEL_PROVIDER: "ollama",
        STORE_URL: "memory://",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
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
      // To npm alone, as a service manager or a terminal's Ctrl-C would: npm passes it on.
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(stderr).toContain('"reason":"SIGTERM"');
      expect(stderr).toContain('"msg":"stopping"');
    } finally {
      child.kill("SIGKILL");
    }
  }, 90_000);
});
