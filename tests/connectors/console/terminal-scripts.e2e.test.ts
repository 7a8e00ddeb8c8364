/**
 * troupe in scripts, as the README shows it: `npm start --silent` / `npx troupe` with piped input.
 * Each run is its own conversation (and leaves the interactive chat's alone) unless `--continue`;
 * standard output holds the answers and nothing else; notes go to standard error; `--help` and
 * `--version` work before any configuration is read.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NOTHING_TO_CONTINUE } from "../../../src/app/terminal-conversation.js";
import { type FakeOllama, type OllamaChatBody, startFakeOllama } from "../../fakes/fake-ollama.js";
import { repoRoot, runCommand, runTroupe } from "../../helpers/run-troupe.js";
import { openTerminal, type Terminal } from "../../helpers/terminal.js";

let ollama: FakeOllama;
let dir: string;

beforeAll(async () => {
  ollama = await startFakeOllama();
});
afterAll(async () => {
  await ollama.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "troupe-scripts-"));
  return () => rmSync(dir, { recursive: true, force: true });
});
let terminal: Terminal | undefined;
afterEach(() => terminal?.kill());

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { OLLAMA_HOST: ollama.host, STORE_URL: `sqlite://${join(dir, "troupe.sqlite")}`, ...extra };
}

/** The chat requests made while `work` ran. */
async function requestsDuring(work: () => Promise<unknown>): Promise<OllamaChatBody[]> {
  const before = ollama.chatBodies().length;
  await work();
  return ollama.chatBodies().slice(before);
}

const contents = (body: OllamaChatBody | undefined) => body?.messages.map((message) => message.content) ?? [];
/** The personas tell apart by their temperature: tutor 0.6, coder 0.2 (personas/*.md). */
const TUTOR = 0.6;
const CODER = 0.2;

/** The interactive chat on a pseudo-terminal: types `lines`, waits for each answer, leaves. */
async function chatInteractively(lines: { type: string; expect: string }[]): Promise<string> {
  terminal = openTerminal("npm start", env());
  await terminal.waitFor("Ctrl-C to leave");
  for (const line of lines) {
    terminal.child.stdin.write(`${line.type}\r`);
    await terminal.waitFor(line.expect);
  }
  terminal.child.stdin.write("\u0003");
  await terminal.waitFor("Bye!");
  expect(await terminal.exited).toBe(0);
  return terminal.screen();
}

describe("piped runs are independent", () => {
  it("start fresh with the default persona and leave the interactive chat's history and persona alone", async () => {
    const first = await chatInteractively([
      { type: "/persona coder", expect: "now answers in this conversation" },
      { type: "my name is Ada", expect: "Coder: echo: my name is Ada" },
    ]);
    expect(first).toContain("🎓 Tutor: Hi, I'm Tutor");

    let runs = await requestsDuring(async () => {
      const run = await runTroupe(env(), "remember the number 42\n");
      expect(run.stdout).toBe("echo: remember the number 42\n");
      expect(run.code).toBe(0);
    });
    expect(runs[0]?.options?.temperature).toBe(TUTOR);
    expect(contents(runs[0])).not.toContain("my name is Ada");

    runs = await requestsDuring(() => runTroupe(env(), "which number?\n"));
    expect(runs[0]?.options?.temperature).toBe(TUTOR);
    expect(contents(runs[0])).not.toContain("remember the number 42");

    // The interactive chat again: same persona, same history, and it says it is continuing.
    runs = await requestsDuring(async () => {
      const again = await chatInteractively([{ type: "what is my name?", expect: "echo: what is my name?" }]);
      expect(again).toContain("💻 Coder: continuing our conversation (/reset to start over)");
      expect(again).not.toContain("Hi, I'm Coder");
    });
    expect(runs[0]?.options?.temperature).toBe(CODER);
    expect(contents(runs[0])).toContain("my name is Ada");
    expect(contents(runs[0])).not.toContain("remember the number 42");
    expect(contents(runs[0])).not.toContain("which number?");
  }, 90_000);

  it("--continue picks up the last piped conversation, its history and its persona", async () => {
    const first = await runTroupe(env(), "/persona coder\nhello\n");
    expect(first.code).toBe(0);

    const continued = await requestsDuring(async () => {
      const run = await runTroupe(env(), "again\n", ["--continue"]);
      expect(run.stdout).toBe("echo: again\n");
      expect(run.stderr).not.toContain(NOTHING_TO_CONTINUE);
    });
    expect(continued[0]?.options?.temperature).toBe(CODER);
    expect(contents(continued[0])).toContain("hello");

    // Without --continue the next run starts over, and is then the one to continue.
    const fresh = await requestsDuring(() => runTroupe(env(), "anew\n"));
    expect(fresh[0]?.options?.temperature).toBe(TUTOR);
    expect(contents(fresh[0])).not.toContain("hello");
    const next = await requestsDuring(() => runTroupe(env(), "and on\n", ["-c"]));
    expect(contents(next[0])).toContain("anew");
    expect(contents(next[0])).not.toContain("hello");
  }, 60_000);

  it("--continue with nothing to continue starts a new conversation and says so on stderr", async () => {
    const run = await runTroupe(env(), "hi\n", ["--continue"]);
    expect(run.stdout).toBe("echo: hi\n");
    expect(run.stderr).toContain(NOTHING_TO_CONTINUE);
    expect(run.code).toBe(0);
  });
});

describe("standard output holds only the answers", () => {
  it("through npx troupe: no npm banner, no notice, no greeting", async () => {
    const run = await runCommand("npx", ["troupe"], { env: env(), input: "one\ntwo\n" });
    expect(run.stdout).toBe("echo: one\necho: two\n");
    expect(run.code).toBe(0);
  });

  it("notes about an answer (message cut, length limit) go to standard error", async () => {
    ollama.enqueue({ chunks: ["a partial ", "answer"], finishReason: "length" });
    const long = `${"word ".repeat(6000)}end`;
    const run = await runTroupe(env({ CONTEXT_TOKENS: "4096" }), `short question\n${long}\n`);
    expect(run.stdout.startsWith("a partial answer\necho: word word")).toBe(true);
    expect(run.stdout.split("\n")).toHaveLength(3);
    expect(run.stdout).not.toMatch(/cut short|too long/);
    expect(run.stderr).toContain("_(cut short: the answer reached its length limit)_");
    expect(run.stderr).toContain("Your message was too long for the model");
    // A note is not a failure.
    expect(run.code).toBe(0);
  });
});

describe("--help and --version", () => {
  const version = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version as string;
  // A broken configuration: flags are read before it.
  const broken = { CONTEXT_TOKENS: "lots", STORE_URL: "nowhere://" };

  it("--help prints the usage, the main variables and where the docs are, and exits 0", async () => {
    const run = await runTroupe(broken, "", ["--help"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain(`troupe ${version}`);
    expect(run.stdout).toContain("--continue");
    expect(run.stdout).toContain("OLLAMA_HOST");
    expect(run.stdout).toContain("README.md");
  });

  it("--version prints the version from package.json, and exits 0", async () => {
    const run = await runCommand("npx", ["troupe", "--version"], { env: broken });
    expect(run).toMatchObject({ code: 0, stdout: `troupe ${version}\n`, stderr: "" });
  });

  it("an unknown argument stops with one line naming it, exit code 1", async () => {
    const run = await runTroupe(env(), "hi\n", ["--contiue"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe('troupe: unknown argument "--contiue": `troupe --help` lists the options.\n');
  });
});
