/**
 * A broken persona file at start-up through the real process (`npm start`): a broken pirate.md is
 * skipped (troupe starts, answers, and its log names pirate.md and the line), unless pirate is
 * DEFAULT_PERSONA, which stops start-up with exit 1 naming the file and the line. On a terminal with
 * LOG_LEVEL=silent the chat itself says what is wrong, and the fixed file loads without a restart.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { repoRoot, runTroupe } from "../helpers/run-troupe.js";
import { createTempDir, removeTempDir, waitFor } from "./persona-test-helpers.js";

let ollama: FakeOllama;
let root: string;
let personas: string;

beforeAll(async () => {
  ollama = await startFakeOllama();
});
afterAll(async () => {
  await ollama.close();
});
beforeEach(async () => {
  root = await createTempDir();
  personas = join(root, "personas");
  mkdirSync(personas);
  copyFileSync(join(repoRoot, "personas", "tutor.md"), join(personas, "tutor.md"));
  // Line 4 has the typo.
  writeFileSync(
    join(personas, "pirate.md"),
    "---\ndisplay_name: Captain Quill\nemoji: 🏴‍☠️\ntemprature: 0.9\n---\nYou are a pirate.\n",
  );
  return () => removeTempDir(root);
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    OLLAMA_HOST: ollama.host,
    STORE_URL: `sqlite://${join(root, "troupe.sqlite")}`,
    PERSONAS_DIR: personas,
    ...extra,
  };
}

describe("a broken persona file at start-up", () => {
  it("is skipped: troupe starts, answers, and its log names the file and the line", async () => {
    const run = await runTroupe(env(), "/persona\nhello\n");

    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().endsWith("echo: hello")).toBe(true);
    expect(run.stdout).not.toContain("pirate");
    // Warnings are JSON lines at pino's level 40.
    const warnings = run.stderr.split("\n").filter((line) => line.startsWith('{"level":40,'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] ?? "{}")).toMatchObject({
      file: join(personas, "pirate.md"),
      line: 4,
      field: "temprature",
    });
    expect(warnings[0]).toContain(`${join(personas, "pirate.md")}:4: field \\"temprature\\"`);
  });

  it("stops start-up with exit 1 when it is DEFAULT_PERSONA, naming the file and the line", async () => {
    const run = await runTroupe(env({ DEFAULT_PERSONA: "pirate" }), "hello\n");

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "troupe: DEFAULT_PERSONA=pirate is in a persona file that cannot be loaded:\n" +
        `  ${join(personas, "pirate.md")}:4: field "temprature": unknown field`,
    );
    expect(run.stderr).toContain("or set DEFAULT_PERSONA to a persona that loaded: tutor.");
  });

  it("is told in the terminal chat with its reason even with LOG_LEVEL=silent, and loads once fixed", async () => {
    const terminal = openTerminal(env({ LOG_LEVEL: "silent" }));
    try {
      await terminal.waitFor("Ctrl-C to leave");
      const screen = terminal.screen();
      const notice = `⚠️ ${join(personas, "pirate.md")}:4: field "temprature": unknown field`;
      expect(screen).toContain(notice);
      expect(screen).toContain("(skipped; fix the file and it loads without a restart)");
      expect(screen.indexOf(notice)).toBeLessThan(screen.indexOf("🎓 Tutor: "));

      writeFileSync(
        join(personas, "pirate.md"),
        "---\ndisplay_name: Captain Quill\nemoji: 🏴‍☠️\ntemperature: 0.9\n---\nYou are a pirate.\n",
      );
      await terminal.waitFor("Persona `pirate` added (pirate.md).");
      terminal.write("/persona pirate\r");
      // Rendered for the terminal (NO_COLOR: no styling, the bold markers dropped).
      await terminal.waitFor("Captain Quill now answers in this conversation");
    } finally {
      terminal.write("\u0003");
      await terminal.exited;
    }
  });
});

/** `npm start` on a pseudo-terminal (util-linux `script`), so the chat is interactive. */
function openTerminal(extra: Record<string, string>) {
  const child = spawn("script", ["-qec", "npm start", "/dev/null"], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      TERM: "dumb",
      NO_COLOR: "1",
      ...extra,
    },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    screen: () => output,
    write: (text: string) => child.stdin.write(text),
    exited,
    waitFor: (text: string) =>
      waitFor(JSON.stringify(text), () => output.includes(text), 20_000).catch(() => {
        throw new Error(`never saw ${JSON.stringify(text)} on screen:\n${output}`);
      }),
  };
}
