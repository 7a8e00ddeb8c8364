/**
 * `npm run dev` on a real pseudo-terminal: the chat is usable (Enter is the chat's, never a restart),
 * a source change restarts troupe in the same conversation, and Ctrl-C (in the chat, or while a
 * failed start waits for a fix) ends troupe and the watcher alike, leaving no process behind.
 */
import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "./fakes/fake-ollama.js";
import { repoRoot } from "./helpers/run-troupe.js";
import { openTerminal, type Terminal } from "./helpers/terminal.js";

let ollama: FakeOllama;
let dir: string;
beforeAll(async () => {
  ollama = await startFakeOllama();
  dir = mkdtempSync(join(tmpdir(), "troupe-dev-"));
});
afterAll(async () => {
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

let terminal: Terminal | undefined;
afterEach(() => terminal?.kill());

const count = (text: string, part: string) => text.split(part).length - 1;

describe("npm run dev", () => {
  it("chats without restarting on Enter, restarts on a source change, and Ctrl-C ends it all", async () => {
    terminal = openTerminal("npm run dev", {
      OLLAMA_HOST: ollama.host,
      STORE_URL: `sqlite://${join(dir, "troupe.sqlite")}`,
    });
    await terminal.waitFor("Ctrl-C to leave");
    expect(terminal.screen()).toContain("🎓 Tutor: ");
    const running = terminal.processes();
    expect(running.some((command) => command.includes("src/dev.ts"))).toBe(true);
    expect(running.some((command) => command.includes("src/main.ts"))).toBe(true);

    // Empty lines and a message: had any Enter restarted troupe, the answer would follow a second
    // greeting from the new process.
    terminal.child.stdin.write("\r");
    terminal.child.stdin.write("\r");
    terminal.child.stdin.write("my name is Ada\r");
    await terminal.waitFor("🎓 Tutor: echo: my name is Ada");
    expect(count(terminal.screen(), "Ctrl-C to leave")).toBe(1);
    expect(terminal.screen()).not.toContain("restarting");

    // A source file changes: troupe restarts, and says it remembers.
    const now = new Date();
    utimesSync(join(repoRoot, "src", "main.ts"), now, now);
    await terminal.waitFor("src/main.ts changed: restarting troupe.");
    await terminal.waitFor("🎓 Tutor: continuing our conversation");
    await terminal.waitFor("Ctrl-C to leave", 2);

    terminal.child.stdin.write("\u0003");
    await terminal.waitFor("Bye!");
    expect(await terminal.exited).toBe(0);
    expect(terminal.processes()).toEqual([]);
  }, 90_000);

  it("waits for a fix when troupe fails to start on a terminal, and Ctrl-C then ends it", async () => {
    terminal = openTerminal("npm run dev", { OLLAMA_HOST: ollama.host, CONTEXT_TOKENS: "lots" });
    await terminal.waitFor("CONTEXT_TOKENS");
    await terminal.waitFor("restarts it when a file in src/ or commands/ changes (Ctrl-C to leave)");
    expect(terminal.processes().some((command) => command.includes("src/dev.ts"))).toBe(true);
    expect(terminal.processes().some((command) => command.includes("src/main.ts"))).toBe(false);

    terminal.child.stdin.write("\u0003");
    expect(await terminal.exited).not.toBe(0);
    expect(terminal.processes()).toEqual([]);
  }, 60_000);
});
