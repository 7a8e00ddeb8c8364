/**
 * The terminal chat as main wires it, in-process on streams: the shutdown is asked to stop when
 * the chat ends (1 when piped and an answer failed), the model notices and the persona files
 * start-up skipped come before the greeting, a persona file change is told to the person (a
 * problem with its reason, not a pointer to the log), and the login name is made safe.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { safeUserName, startTerminalChat } from "../../src/app/start-terminal-chat.js";
import type { PersonaChange, PersonaStartupReport } from "../../src/personas/persona-directory.js";
import { createBotFixture } from "../core/bot-fixture.js";
import { modelError } from "../helpers/scripted-model.js";

interface Run {
  output: () => string;
  errors: () => string;
  input: PassThrough;
  /** Resolves with the first stop asked for. */
  stopped: Promise<{ reason: string; exitCode: number }>;
  events: string[];
  changePersonas(changes: PersonaChange[]): void;
  start(): ReturnType<typeof startTerminalChat>;
  fixture: ReturnType<typeof createBotFixture>;
}

function collect(stream: PassThrough): () => string {
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  return () => text;
}

const noProblems: PersonaStartupReport = { skipped: [], warnings: [] };

function setUp(
  interactive: boolean,
  notices: string[] = [],
  options: { startup?: PersonaStartupReport; continueLast?: boolean } = {},
): Run {
  const { startup = noProblems, continueLast = false } = options;
  const fixture = createBotFixture();
  const input = new PassThrough();
  const output = new PassThrough();
  const errorOutput = new PassThrough();
  const events: string[] = [];
  const listeners: ((changes: readonly PersonaChange[]) => void)[] = [];
  let onStop: (request: { reason: string; exitCode: number }) => void = () => {};
  const stopped = new Promise<{ reason: string; exitCode: number }>((resolve) => {
    onStop = resolve;
  });
  return {
    input,
    output: collect(output),
    errors: collect(errorOutput),
    stopped,
    events,
    fixture,
    changePersonas: (changes) => {
      for (const listener of listeners) listener(changes);
    },
    start: () =>
      startTerminalChat({
        bot: fixture.bot,
        personas: {
          startup,
          onChange(listener) {
            listeners.push(listener);
            return () => {};
          },
        },
        logger: fixture.logger,
        config: { NO_COLOR: undefined },
        interactive,
        notices,
        input,
        output,
        errorOutput,
        userName: "ada",
        store: fixture.store,
        continueLast,
        shutdown: {
          track: (connector) => events.push(`track ${connector.name}`),
          requestShutdown(reason, exitCode) {
            events.push(`stop: ${reason} (${exitCode})`);
            onStop({ reason, exitCode });
          },
        },
      }),
  };
}

const typo = 'personas/pirate.md:6: field "temprature": unknown field; did you mean "temperature"?';
const startupWithTypo: PersonaStartupReport = {
  skipped: [
    {
      kind: "invalid",
      fileName: "pirate.md",
      file: "personas/pirate.md",
      problems: [
        {
          file: "personas/pirate.md",
          line: 6,
          field: "temprature",
          reason: 'unknown field; did you mean "temperature"?',
        },
      ],
    },
  ],
  warnings: [],
};

describe("startTerminalChat, piped", () => {
  it("answers each line and asks for a clean stop at the end of input", async () => {
    const run = setUp(false, ["Model: scripted:test (test)"]);
    const chat = await run.start();
    expect(chat.name).toBe("console");
    run.input.end("hello\n");
    expect(await run.stopped).toEqual({ reason: "end of input", exitCode: 0 });
    // Piped, standard output holds the answers alone: no notices, no greeting, no "Bye!".
    expect(run.output()).toBe("echo: hello\n");
    expect(run.events).toEqual(["track console", "stop: end of input (0)"]);
  });

  it("keeps persona problems off standard output, which holds the answers alone", async () => {
    const run = setUp(false, [], { startup: startupWithTypo });
    await run.start();
    run.input.end("hello\n");
    await run.stopped;
    expect(run.output()).toBe("echo: hello\n");
  });

  it("asks for exit code 1 when an answer failed, so a script notices", async () => {
    const run = setUp(false);
    run.fixture.model.enqueue({ deltas: [], failWith: modelError("unavailable") });
    await run.start();
    run.input.end("first\nsecond\n");
    expect(await run.stopped).toEqual({ reason: "end of input", exitCode: 1 });
    // The failed answer is a line on standard error; the next line is answered as usual.
    expect(run.errors()).not.toBe("");
    expect(run.output()).toMatch(/^echo: .*second\n$/s);
  });
});

describe("startTerminalChat, piped conversations", () => {
  it("speaks in a conversation of its own, not the interactive chat's, and --continue takes it up", async () => {
    const first = setUp(false);
    await first.start();
    first.input.end("hello\n");
    await first.stopped;
    const conversations = [...first.fixture.store.histories.keys()];
    expect(conversations).toEqual([expect.stringMatching(/^console:ada:piped:[a-z0-9-]+$/)]);
    expect(first.errors()).toBe("");

    const next = setUp(false, [], { continueLast: true });
    // The same store: what one run remembered, the next one reads.
    next.fixture.store.histories.set(
      conversations[0] ?? "",
      first.fixture.store.histories.get(conversations[0] ?? "") ?? [],
    );
    for (const [key, value] of first.fixture.store.bindings) next.fixture.store.bindings.set(key, value);
    await next.start();
    next.input.end("again\n");
    await next.stopped;
    expect([...next.fixture.store.histories.keys()]).toEqual(conversations);
    expect(next.fixture.store.histories.get(conversations[0] ?? "")?.map((turn) => turn.content)).toEqual([
      "hello",
      "echo: hello",
      "again",
      "echo: again",
    ]);
  });

  it("--continue with nothing to continue says so on standard error, never on standard output", async () => {
    const run = setUp(false, [], { continueLast: true });
    await run.start();
    run.input.end("hello\n");
    await run.stopped;
    expect(run.errors()).toBe("No earlier piped conversation to continue: starting a new one.\n");
    expect(run.output()).toBe("echo: hello\n");
  });
});

describe("startTerminalChat, interactive", () => {
  it("shows the notices before the greeting, tells persona changes, and says Bye on Ctrl-C", async () => {
    const run = setUp(true, ["Model: scripted:test (MODEL_PROVIDER=ollama)", "⚠️  the model is missing"]);
    const chat = await run.start();
    const screen = run.output();
    const greeting = screen.indexOf("Hi, learner!");
    expect(greeting).toBeGreaterThan(0);
    expect(screen.indexOf("Model: scripted:test (MODEL_PROVIDER=ollama)\n")).toBe(0);
    expect(screen.indexOf("⚠️  the model is missing\n")).toBeLessThan(greeting);

    run.changePersonas([{ kind: "added", fileName: "pirate.md", name: "pirate" }]);
    expect(run.output()).toContain("Persona `pirate` added (pirate.md).");

    run.input.write("\u0003");
    expect(await run.stopped).toEqual({ reason: "ctrl-c", exitCode: 0 });
    expect(run.output().endsWith("\nBye!\n")).toBe(true);
    await chat.stop();
  });

  it("shows each persona file start-up skipped with its reason, after the model notices", async () => {
    const run = setUp(true, ["Model: scripted:test (MODEL_PROVIDER=ollama)"], { startup: startupWithTypo });
    const chat = await run.start();
    const lines = run.output().split("\n");
    expect(lines.slice(0, 2)).toEqual([
      "Model: scripted:test (MODEL_PROVIDER=ollama)",
      `⚠️ ${typo} (skipped; fix the file and it loads without a restart)`,
    ]);
    expect(lines[2]).toContain("Hi, learner!");

    run.changePersonas([{ kind: "rejected", fileName: "pirate.md", problem: typo }]);
    expect(run.output()).toContain(`⚠️ ${typo} (skipped; fix the file and it loads without a restart)\n`);
    expect(run.output()).not.toContain("the log");
    await chat.stop();
  });

  it("asks for a clean stop when the terminal's input ends, even after a failed answer", async () => {
    const run = setUp(true);
    run.fixture.model.enqueue({ deltas: [], failWith: modelError("unavailable") });
    await run.start();
    run.input.end("hello\n");
    expect(await run.stopped).toEqual({ reason: "end of input", exitCode: 0 });
    expect(run.output().endsWith("Bye!\n")).toBe(true);
  });
});

describe("safeUserName", () => {
  it("keeps the login name's word characters, dots and dashes", () => {
    expect(safeUserName(() => ({ username: "ada.lovelace-1" }))).toBe("ada.lovelace-1");
    expect(safeUserName(() => ({ username: "ada lovelace:$" }))).toBe("adalovelace");
  });

  it("is 'you' when nothing is left, or there is no login name at all", () => {
    expect(safeUserName(() => ({ username: "  ::" }))).toBe("you");
    expect(
      safeUserName(() => {
        throw new Error("ENOENT: no passwd entry");
      }),
    ).toBe("you");
  });
});
