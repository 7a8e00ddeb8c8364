/**
 * The interactive terminal chat end to end: `npm start` on a real pseudo-terminal (util-linux
 * `script` provides one), typed input, the real ollama client against the fake Ollama.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../../fakes/fake-ollama.js";
import { repoRoot } from "../../helpers/run-troupe.js";
import { openTerminal, type Terminal } from "../../helpers/terminal.js";

let personasDir: string;
beforeAll(() => {
  // A copy: the test adds a persona file while troupe runs, and the shipped folder stays as it is.
  personasDir = mkdtempSync(join(tmpdir(), "troupe-personas-"));
  cpSync(join(repoRoot, "personas"), personasDir, { recursive: true });
});
afterAll(() => rmSync(personasDir, { recursive: true, force: true }));

let ollama: FakeOllama;
beforeAll(async () => {
  ollama = await startFakeOllama();
});
afterAll(async () => {
  await ollama.close();
});

let current: Terminal | undefined;
afterEach(() => current?.kill());

/** `npm start` on a pseudo-terminal. */
function startChat(env: Record<string, string>): Terminal {
  current = openTerminal("npm start", env);
  return current;
}

describe("terminal chat, interactive", () => {
  it("greets, streams an answer, switches persona, and leaves cleanly on Ctrl-C", async () => {
    const terminal = startChat({
      OLLAMA_HOST: ollama.host,
      STORE_URL: "memory://",
      PERSONAS_DIR: personasDir,
    });
    await terminal.waitFor("Ctrl-C to leave");
    expect(terminal.screen()).toContain("🎓 Tutor: ");

    ollama.enqueue({ chunks: ["Pri", "mes ", "have ", "two ", "divisors."] });
    terminal.child.stdin.write("what is a prime?\r");
    await terminal.waitFor("Primes have two divisors.");
    expect(terminal.screen()).toContain("🎓 Tutor: Primes have two divisors.");

    terminal.child.stdin.write("/persona coder\r");
    await terminal.waitFor("now answers in this conversation");
    terminal.child.stdin.write("hello\r");
    await terminal.waitFor("Coder: echo: hello");

    // A pasted block of several lines is one message, not one per line.
    const before = ollama.chatBodies().length;
    terminal.child.stdin.write("def add(a, b):\r    return a + b\r");
    await terminal.waitFor("return a + b");
    await terminal.waitFor("Coder: echo: def add(a, b):");
    // One more line, typed alone: once it is answered, every request before it has been made.
    terminal.child.stdin.write("ping\r");
    await terminal.waitFor("Coder: echo: ping");
    const bodies = ollama.chatBodies().slice(before);
    expect(bodies.map((body) => body.messages.at(-1)?.content)).toEqual([
      "def add(a, b):\n    return a + b",
      "ping",
    ]);

    // A persona written while troupe runs is announced and usable at once.
    writeFileSync(
      join(personasDir, "pirate.md"),
      "---\ndisplay_name: Captain Quill\n---\nYou are a pirate.\n",
    );
    await terminal.waitFor("Persona `pirate` added (pirate.md).");
    terminal.child.stdin.write("/persona pirate\r");
    await terminal.waitFor("**Captain Quill** now answers in this conversation");

    terminal.child.stdin.write("\u0003");
    await terminal.waitFor("Bye!");
    expect(await terminal.exited).toBe(0);
  });

  it("shows a hostile answer's control sequences as text: none reaches the terminal raw", async () => {
    const terminal = startChat({
      OLLAMA_HOST: ollama.host,
      STORE_URL: "memory://",
      PERSONAS_DIR: personasDir,
    });
    await terminal.waitFor("Ctrl-C to leave");
    const ESC = "\u001b";
    const BEL = "\u0007";
    // Each family split mid-sequence between two chunks, as a streaming server would.
    ollama.enqueue({
      chunks: [
        `Title${ESC}]0;pw`,
        `ned${BEL} clip${ESC}]52;c;cm0gLXJm`,
        `IH4=${BEL} clear${ESC}`,
        `[2J${ESC}[H csi\u009b`,
        `2J paste${ESC}[?2004l bs: safe\b\b\b\brm -rf`,
        " cr: yes\rno 🎓 end",
      ],
    });
    terminal.child.stdin.write("tell me something\r");
    await terminal.waitFor("🎓 end");
    const screen = terminal.screen();
    expect(screen).toContain(
      "Title^[]0;pwned^G clip^[]52;c;cm0gLXJmIH4=^G clear^[[2J^[[H csi^[[2J paste^[[?2004l" +
        " bs: safe^H^H^H^Hrm -rf cr: yes^Mno 🎓 end",
    );
    for (const raw of [`${ESC}]`, `${ESC}[2J`, `${ESC}[H`, `${ESC}[?2004`, "\u009b", BEL, "\b", "yes\rno"]) {
      expect(screen).not.toContain(raw);
    }

    terminal.child.stdin.write("\u0003");
    await terminal.waitFor("Bye!");
    expect(await terminal.exited).toBe(0);
  });
});
