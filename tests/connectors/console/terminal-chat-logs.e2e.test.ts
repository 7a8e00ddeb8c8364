/**
 * What a newcomer sees when things fail in the terminal chat, end to end: `npm start` on a real
 * pseudo-terminal (util-linux `script`), the real ollama client against the fake Ollama, a real
 * Redis that crashes mid-conversation. The screen shows people text (answers, notices, one short
 * line per failure with its fix), never a JSON log line or a stack; the log file has those. Piped,
 * troupe still logs JSON lines on standard error, as services and scripts expect.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../../fakes/fake-ollama.js";
import { type RedisServer, startRedisServer } from "../../helpers/redis-server.js";
import { repoRoot, runTroupe } from "../../helpers/run-troupe.js";
import { openTerminal, type Terminal } from "../../helpers/terminal.js";

let ollama: FakeOllama;
beforeAll(async () => {
  ollama = await startFakeOllama();
});
afterAll(async () => {
  await ollama.close();
});

let dir: string;
let personasDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "troupe-logs-e2e-"));
  // A copy: the test breaks a persona file while troupe runs.
  personasDir = join(dir, "personas");
  cpSync(join(repoRoot, "personas"), personasDir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

let redis: RedisServer | undefined;
afterEach(async () => {
  await redis?.stop();
  redis = undefined;
});

function openChat(env: Record<string, string>): Terminal {
  return openTerminal("npm start", { PERSONAS_DIR: personasDir, ...env });
}

/** Waits (bounded) until `text` shows after what the screen held at `since`. */
function waitAfter(terminal: Terminal, text: string, since: number): Promise<void> {
  const before = terminal.screen().slice(0, since).split(text).length - 1;
  return terminal.waitFor(text, before + 1);
}

/** Types a line and waits for `shown`; returns the screen from the line on. */
async function say(terminal: Terminal, line: string, shown: string): Promise<string> {
  const since = terminal.screen().length;
  terminal.child.stdin.write(`${line}\r`);
  await waitAfter(terminal, shown, since);
  return terminal.screen().slice(since);
}

/** What a log line looks like on a screen: pino's JSON, or a stack frame. */
function expectNoLogs(screen: string): void {
  expect(screen).not.toMatch(/\{"level":/);
  expect(screen).not.toMatch(/"msg":/);
  expect(screen).not.toMatch(/^\s+at .+:\d+:\d+\)?\s*$/m);
  expect(screen).not.toMatch(/caused by:/);
}

function logRecords(file: string): Record<string, unknown>[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("terminal chat logs, interactive", () => {
  it("keeps logs off the screen: a retry, a model failure, a store outage and a broken persona, each said once", async () => {
    redis = await startRedisServer();
    const logFile = join(dir, "logs", "troupe.log");
    const terminal = openChat({ OLLAMA_HOST: ollama.host, STORE_URL: redis.url, LOG_FILE: logFile });
    await terminal.waitFor("Ctrl-C to leave");
    // The log is named once, in one short line, before the chat starts.
    expect(terminal.screen()).toContain(`Logs: ${logFile}\r\n`);
    expect(terminal.screen().split("Logs:")).toHaveLength(2);

    // The model fails once and the retry answers: the person sees only the answer.
    ollama.enqueue({ status: 500 }, { chunks: ["Primes ", "have two divisors."] });
    const retried = await say(terminal, "what is a prime?", "Primes have two divisors.");
    expect(retried).not.toMatch(/retry|HTTP 500|⚠️/);

    // The model is missing: the person runs troupe, so the line carries the fix, not a pointer to a log.
    ollama.enqueue({ status: 404 });
    const missing = await say(terminal, "hello?", "ollama pull llama3.2");
    expect(missing).toContain('⚠️ The model isn\'t available: model "llama3.2" is not on the Ollama server');

    // The store goes away: one note, and the answer still comes.
    await redis.crash();
    const outage = await say(terminal, "still there?", "echo: still there?");
    expect(outage).toContain("My memory is unavailable right now");
    // A command that needs the store fails with one short line that says why.
    const reset = await say(terminal, "/reset", "Please try again.");
    expect(reset).toMatch(
      /⚠️ Something went wrong on my side: redis:\/\/127\.0\.0\.1:\d+: clearing the history of \S+ failed: \S/,
    );

    // A persona file broken while running: the problem and where it is, in the chat.
    const since = terminal.screen().length;
    writeFileSync(join(personasDir, "pirate.md"), "---\ntemprature: 0.5\n---\nYou are a pirate.\n");
    await waitAfter(terminal, 'pirate.md:2: field "temprature"', since);
    await waitAfter(terminal, "(skipped; fix the file and it loads without a restart)", since);

    terminal.child.stdin.write("\u0003");
    await terminal.waitFor("Bye!");
    await terminal.exited;

    const screen = terminal.screen();
    expectNoLogs(screen);
    expect(screen).not.toMatch(/\bthe (bot's )?log\b/);

    // Everything is in the file, as JSON lines with the causes and stacks, readable by its owner only.
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
    const records = logRecords(logFile);
    const messages = records.map((record) => record.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        "model call failed: retrying",
        "model failed while answering",
        "store unavailable: answering without memory",
        "failed to handle an event",
        "ready",
      ]),
    );
    const failed = records.find((record) => record.msg === "model failed while answering");
    expect(failed).toMatchObject({ level: 50, code: "model-missing" });
    expect(String((failed?.err as { stack?: string } | undefined)?.stack)).toMatch(/\n\s+at /);
    expect(records.some((record) => String(record.msg).startsWith("invalid persona file"))).toBe(true);
  });

  it("LOG_LEVEL=silent: no log file, nothing names one, and a failure still says its fix", async () => {
    const store = join(dir, "state", "troupe.sqlite");
    const terminal = openChat({
      OLLAMA_HOST: ollama.host,
      STORE_URL: `sqlite://${store}`,
      LOG_LEVEL: "silent",
    });
    await terminal.waitFor("Ctrl-C to leave");
    ollama.enqueue({ status: 404 });
    await say(terminal, "hello?", "ollama pull llama3.2");
    terminal.child.stdin.write("\u0003");
    await terminal.waitFor("Bye!");
    await terminal.exited;

    const screen = terminal.screen();
    expect(screen).not.toContain("Logs:");
    expect(screen).not.toMatch(/\blog\b/);
    expectNoLogs(screen);
    expect(existsSync(join(dir, "state", "troupe.log"))).toBe(false);
  });

  it("by default the log file sits beside the SQLite store", async () => {
    const store = join(dir, "state", "troupe.sqlite");
    const terminal = openChat({ OLLAMA_HOST: ollama.host, STORE_URL: `sqlite://${store}` });
    await terminal.waitFor("Ctrl-C to leave");
    await say(terminal, "hi", "echo: hi");
    terminal.child.stdin.write("\u0003");
    await terminal.waitFor("Bye!");
    await terminal.exited;

    const logFile = join(dir, "state", "troupe.log");
    expect(terminal.screen()).toContain(`Logs: ${logFile}\r\n`);
    expect(logRecords(logFile).map((record) => record.msg)).toEqual(
      expect.arrayContaining(["ready", "answered"]),
    );
  });
});

describe("terminal chat logs, piped", () => {
  it("still logs JSON lines on standard error, and writes no log file", async () => {
    ollama.enqueue({ status: 500 }, { chunks: ["pong"] });
    const store = join(dir, "state", "troupe.sqlite");
    const run = await runTroupe(
      { OLLAMA_HOST: ollama.host, STORE_URL: `sqlite://${store}`, PERSONAS_DIR: personasDir },
      "ping\n",
    );
    expect(run.stdout).toBe("pong\n");
    expect(run.code).toBe(0);
    // npm's own "> troupe start" banner goes to standard error (.npmrc json=true); the rest is troupe's.
    const troupeLines = run.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("> "));
    const records = troupeLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => record.msg)).toEqual(
      expect.arrayContaining(["model call failed: retrying", "ready", "answered"]),
    );
    expect(records.every((record) => record.app === "troupe")).toBe(true);
    expect(existsSync(join(dir, "state", "troupe.log"))).toBe(false);
  });
});
