/**
 * The logger as main builds it: what reaches standard error and what reaches the log file, for a
 * service, the interactive terminal chat, readable lines, a file that cannot be opened, and silent.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/app/create-logger.js";
import type { LogSettings } from "../../src/app/log-output.js";
import { ModelError } from "../../src/model/chat-model.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "troupe-logs-"));
  return () => rmSync(dir, { recursive: true, force: true });
});

function settings(extra: Partial<LogSettings & { NO_COLOR: string }> = {}) {
  return {
    LOG_LEVEL: undefined,
    LOG_FORMAT: undefined,
    LOG_FILE: undefined,
    STORE_URL: `sqlite://${join(dir, "state", "troupe.sqlite")}`,
    DISCORD_TOKEN: undefined,
    SLACK_BOT_TOKEN: undefined,
    NO_COLOR: "1",
    ...extra,
  };
}

function recordingStderr() {
  const stderr = {
    text: "",
    write(chunk: string) {
      stderr.text += chunk;
      return true;
    },
  };
  return stderr;
}

const interactive = { stdinIsTTY: true, stderrIsTTY: true };
const service = { stdinIsTTY: false, stderrIsTTY: false };

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A failure with a cause, as the bot logs one. */
function failure(): ModelError {
  const cause = new Error("connect ECONNREFUSED 127.0.0.1:11434");
  return new ModelError("unavailable", "Ollama is not answering", { cause });
}

describe("createLogger", () => {
  it("a service: JSON lines with the stack on standard error, and no file", () => {
    const stderr = recordingStderr();
    const logger = createLogger(settings(), service, { stderr });
    logger.error({ err: failure(), code: "unavailable" }, "model failed while answering");
    const [line] = jsonLines(stderr.text);
    expect(line).toMatchObject({
      level: 50,
      app: "troupe",
      code: "unavailable",
      msg: "model failed while answering",
    });
    expect(String((line?.err as { stack?: string } | undefined)?.stack)).toContain("caused by:");
    expect(existsSync(join(dir, "state"))).toBe(false);
  });

  it("the interactive chat: JSON appended to troupe.log beside the store, and one line naming it", () => {
    const file = join(dir, "state", "troupe.log");
    const stderr = recordingStderr();
    const logger = createLogger(settings(), interactive, { stderr });
    logger.warn({ code: "unavailable", attempt: 1 }, "model call failed: retrying");
    logger.error({ err: failure() }, "model failed while answering");

    expect(stderr.text).toBe(`Logs: ${file}\n`);
    const lines = jsonLines(readFileSync(file, "utf8"));
    expect(lines.map((line) => line.msg)).toEqual([
      "model call failed: retrying",
      "model failed while answering",
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("appends to an existing log file, in a folder it creates when LOG_FILE names one", () => {
    const file = join(dir, "logs", "deep", "troupe.log");
    const first = createLogger(settings({ LOG_FILE: file }), service, { stderr: recordingStderr() });
    first.info("first run");
    const stderr = recordingStderr();
    const second = createLogger(settings({ LOG_FILE: file }), service, { stderr });
    second.info("second run");
    expect(jsonLines(readFileSync(file, "utf8")).map((line) => line.msg)).toEqual([
      "first run",
      "second run",
    ]);
    expect(stderr.text).toBe(`Logs: ${file}\n`);
  });

  it("a file that cannot be opened is said once, and the log shows on the screen instead", () => {
    writeFileSync(join(dir, "not-a-folder"), "");
    const file = join(dir, "not-a-folder", "troupe.log");
    const stderr = recordingStderr();
    const logger = createLogger(settings({ LOG_FILE: file }), interactive, { stderr });
    logger.warn({ code: "unavailable" }, "model call failed: retrying");
    const lines = stderr.text.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      new RegExp(
        `^Logs: cannot write ${file} \\(${join(dir, "not-a-folder")} is not a folder\\); showing them here instead\\.$`,
      ),
    );
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d WARN {2}model call failed: retrying {2}code=unavailable$/);
    expect(lines).toHaveLength(2);
  });

  it("a service whose LOG_FILE cannot be opened logs that, and everything after, as JSON on standard error", () => {
    writeFileSync(join(dir, "not-a-folder"), "");
    const file = join(dir, "not-a-folder", "troupe.log");
    const stderr = recordingStderr();
    const logger = createLogger(settings({ LOG_FILE: file }), service, { stderr });
    logger.info("ready");
    expect(jsonLines(stderr.text).map((line) => [line.msg, line.file])).toEqual([
      ["cannot write the log file: logging to standard error", file],
      ["ready", undefined],
    ]);
  });

  it("LOG_FORMAT=pretty: short readable lines, the cause on the same line, no stack", () => {
    const stderr = recordingStderr();
    const logger = createLogger(settings({ LOG_FORMAT: "pretty" }), interactive, { stderr });
    logger.info("ready");
    logger.error({ err: failure(), code: "unavailable" }, "model failed while answering");
    expect(stderr.text).not.toContain("ready");
    expect(stderr.text).toMatch(
      /^\d\d:\d\d:\d\d ERROR model failed while answering {2}code=unavailable — ModelError: Ollama is not answering: connect ECONNREFUSED 127\.0\.0\.1:11434\n$/,
    );
    expect(existsSync(join(dir, "state"))).toBe(false);
  });

  it("at debug the readable lines carry the stack, indented below", () => {
    const stderr = recordingStderr();
    const logger = createLogger(settings({ LOG_FORMAT: "pretty", LOG_LEVEL: "debug" }), interactive, {
      stderr,
    });
    logger.error({ err: failure() }, "model failed while answering");
    const [line, ...stack] = stderr.text.trimEnd().split("\n");
    expect(line).toContain("— ModelError: Ollama is not answering");
    expect(stack.length).toBeGreaterThan(0);
    expect(stack.every((frame) => frame.startsWith("    "))).toBe(true);
    expect(stack.join("\n")).toContain("create-logger.test.ts");
  });

  it("a notice the chat shows on this screen is not repeated as a log line there; it stays in the file", () => {
    const file = join(dir, "troupe.log");
    const stderr = recordingStderr();
    const logger = createLogger(settings({ LOG_FORMAT: "pretty", LOG_FILE: file }), interactive, { stderr });
    logger.child({ notice: true }).warn({ fix: "run `ollama pull llama3.2`" }, "model is not ready");
    logger.warn("store unavailable: answering without memory");
    expect(stderr.text).not.toContain("model is not ready");
    expect(stderr.text).toContain("store unavailable");
    expect(jsonLines(readFileSync(file, "utf8")).map((line) => line.msg)).toEqual([
      "model is not ready",
      "store unavailable: answering without memory",
    ]);

    // With no chat on the screen (a platform bot in a terminal), the same line is the only place it shows.
    const platform = recordingStderr();
    createLogger(settings({ DISCORD_TOKEN: "token" }), interactive, { stderr: platform })
      .child({ notice: true })
      .warn("model is not ready");
    expect(platform.text).toContain("WARN  model is not ready");
  });

  it("LOG_LEVEL=silent: no file, no line naming one, nothing on standard error", () => {
    const stderr = recordingStderr();
    const logger = createLogger(settings({ LOG_LEVEL: "silent" }), interactive, { stderr });
    logger.error({ err: failure() }, "model failed while answering");
    expect(stderr.text).toBe("");
    expect(existsSync(join(dir, "state"))).toBe(false);
  });

  it("a service's batched JSON lines on standard error all arrive, even when the process exits at once", () => {
    const script = join(dir, "exit-at-once.ts");
    const source = resolve("src/app/create-logger.ts");
    writeFileSync(
      script,
      `import { createLogger } from ${JSON.stringify(source)};
const logger = createLogger(${JSON.stringify(settings())}, { stdinIsTTY: false, stderrIsTTY: false });
for (let line = 0; line < 2000; line++) logger.info({ line }, "answered");
logger.error("a fatal start-up error, said just before exiting");
process.exit(1);
`,
    );
    const child = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8" });
    expect(child.status).toBe(1);
    const lines = jsonLines(child.stderr);
    expect(lines).toHaveLength(2001);
    expect(lines.at(-1)?.msg).toBe("a fatal start-up error, said just before exiting");
    expect(lines.slice(0, -1).map((line) => line.line)).toEqual([...Array(2000).keys()]);
  });

  it("a service's JSON lines do not hold it up while nobody reads standard error yet", async () => {
    const script = join(dir, "slow-reader.ts");
    writeFileSync(
      script,
      `import { createLogger } from ${JSON.stringify(resolve("src/app/create-logger.ts"))};
const logger = createLogger(${JSON.stringify(settings())}, { stdinIsTTY: false, stderrIsTTY: false });
const words = "x".repeat(200);
for (let line = 0; line < 5000; line++) logger.info({ line, words }, "answered");
process.stdout.write("done\\n");
`,
    );
    // Over a megabyte of lines into a pipe that holds 64 KB: written one by one, the loop would wait
    // for a reader; batched, it finishes while standard error is still unread.
    const child = spawn(process.execPath, ["--import", "tsx", script]);
    const finished = await new Promise<boolean>((resolveDone) => {
      const timer = setTimeout(() => resolveDone(false), 20_000);
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("done")) {
          clearTimeout(timer);
          resolveDone(true);
        }
      });
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolveExit) => child.once("close", resolveExit));
    expect(finished).toBe(true);
    expect(code).toBe(0);
    expect(jsonLines(stderr)).toHaveLength(5000);
  }, 30_000);
});
