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

/** `npm start` on a pseudo-terminal; `undefined` leaves a variable out (NO_COLOR, to get colour). */
function startChat(env: Record<string, string | undefined>): Terminal {
  current = openTerminal("npm start", env);
  return current;
}

const ESC = "\u001b";

/** The screen as text: cursor and style sequences dropped, CR LF as LF. */
function asText(screen: string): string {
  return screen.replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, "gu"), "").replace(/\r/gu, "");
}

/** Waits (bounded) until the screen, as text, shows `text`. */
async function waitForText(terminal: Terminal, text: string): Promise<void> {
  for (let waited = 0; !asText(terminal.screen()).includes(text); waited += 50) {
    if (waited > 20_000)
      throw new Error(`never saw ${JSON.stringify(text)} on screen:\n${terminal.screen()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
    // A command's reply is Markdown rendered for the terminal: without colour, no markers.
    await terminal.waitFor("Captain Quill now answers in this conversation");

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

  it("renders an answer's Markdown on a colour terminal: bold as bold, a code block set apart", async () => {
    const terminal = startChat({
      OLLAMA_HOST: ollama.host,
      STORE_URL: "memory://",
      PERSONAS_DIR: personasDir,
      TERM: "xterm-256color",
      NO_COLOR: undefined,
    });
    await terminal.waitFor("Ctrl-C to leave");
    // Split where a streaming server may split: inside the ** and inside both fences.
    ollama.enqueue({
      chunks: ["Use **bo", "ld** words", ".\n``", "`python\nprint(", "1)\n`", "``\nEnd of answer."],
    });
    terminal.child.stdin.write("show me\r");
    await terminal.waitFor("End of answer.");
    const answer = terminal.screen().slice(terminal.screen().indexOf("show me"));
    expect(answer).toContain(`${ESC}[1m🎓 Tutor${ESC}[22m: Use ${ESC}[1mbold${ESC}[22m words.\r\n`);
    expect(answer).toContain(
      `  ${ESC}[2m── python${ESC}[22m\r\n    print(1)\r\n  ${ESC}[2m──${ESC}[22m\r\nEnd of answer.`,
    );
    expect(answer).not.toContain("*");
    expect(answer).not.toContain("```");

    terminal.child.stdin.write("\u0003");
    await terminal.waitFor("Bye!");
    expect(await terminal.exited).toBe(0);
  });

  // readline edits the line on a capable terminal, and only appends to it on a dumb one.
  it.each(["xterm-256color", "dumb"])(
    "keeps what is typed during an answer out of it: entered lines follow it, the rest waits on the prompt (TERM=%s)",
    async (term) => {
      const terminal = startChat({
        OLLAMA_HOST: ollama.host,
        STORE_URL: "memory://",
        PERSONAS_DIR: personasDir,
        TERM: term,
      });
      await terminal.waitFor("Ctrl-C to leave");
      const words = [
        "The ",
        "answer ",
        "streams ",
        "slowly, ",
        "word ",
        "by ",
        "word, ",
        "for ",
        "a ",
        "while.",
      ];
      ollama.enqueue({ chunks: words, delayMs: 250 });
      const before = ollama.chatBodies().length;
      terminal.child.stdin.write("first\r");
      await terminal.waitFor("The answer");
      // Typed while the answer streams: one line entered, then words not (yet) entered.
      terminal.child.stdin.write("queued one\r");
      terminal.child.stdin.write("typed meanwhile");
      await waitForText(terminal, "› typed meanwhile");
      expect(asText(terminal.screen())).toContain(
        [
          "› first",
          "🎓 Tutor: The answer streams slowly, word by word, for a while.",
          "› queued one",
          "🎓 Tutor: echo: queued one",
          "› typed meanwhile",
        ].join("\n"),
      );

      // What waited on the prompt is readline's line as typed: Enter sends it, after the others.
      terminal.child.stdin.write("\r");
      await terminal.waitFor("echo: typed meanwhile");
      expect(
        ollama
          .chatBodies()
          .slice(before)
          .map((body) => body.messages.at(-1)?.content),
      ).toEqual(["first", "queued one", "typed meanwhile"]);

      terminal.child.stdin.write("\u0003");
      await terminal.waitFor("Bye!");
      expect(await terminal.exited).toBe(0);
    },
  );
});
