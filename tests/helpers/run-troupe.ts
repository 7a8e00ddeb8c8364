/**
 * Runs troupe's commands exactly as a user would, and collects what they printed: a command that
 * runs to its end (`runCommand`, `runTroupe`), or troupe as a service that a test stops with a
 * signal (`startTroupe`).
 *
 * Troupe logs a stray error (`unhandled rejection`, `uncaught exception`: src/app/log-stray-errors.ts)
 * instead of crashing, so a bug like that would pass unnoticed: every run here fails the test that
 * awaits it when such a line appears on the child's standard error.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

export const repoRoot = join(import.meta.dirname, "..", "..");

export interface CommandRun {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CommandOptions {
  /** The child's whole environment beyond PATH and HOME; unset: this process's environment. */
  env?: Record<string, string>;
  /** Piped to standard input, then closed; unset: no standard input at all. */
  input?: string;
}

/** The lines of `stderr` where troupe reported a bug that escaped every handler. */
export function strayErrorLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => /unhandled rejection|uncaught exception/i.test(line));
}

/** The run, or a failure quoting the stray-error lines when there are any. */
function checked(run: CommandRun): CommandRun {
  const stray = strayErrorLines(run.stderr);
  if (stray.length > 0) {
    throw new Error(`the child logged ${stray.length} stray error(s), a bug to fix:\n${stray.join("\n")}`);
  }
  return run;
}

function childEnv(env: Record<string, string> | undefined): NodeJS.ProcessEnv {
  return env === undefined
    ? process.env
    : { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env };
}

/** Only loopback: every URL a test passes points at a fake on 127.0.0.1. */
export function runCommand(
  command: string,
  args: string[],
  options: CommandOptions = {},
): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: childEnv(options.env),
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      try {
        resolve(checked({ stdout, stderr, code, signal }));
      } catch (error) {
        reject(error);
      }
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/**
 * `npm start --silent` with piped input, as the README shows it for scripts (without `--silent` npm
 * prints its "> troupe start" banner on standard output). `args` reach troupe after `--`.
 */
export function runTroupe(
  env: Record<string, string>,
  input: string,
  args: string[] = [],
): Promise<CommandRun> {
  return runCommand("npm", ["start", "--silent", ...(args.length > 0 ? ["--", ...args] : [])], {
    env,
    input,
  });
}

export interface TroupeService {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Sends a signal to troupe itself (it runs as `node`, as under a service manager, not under npm). */
  kill(signal: NodeJS.Signals): void;
  /** Resolves when troupe has exited; rejects when it logged a stray error. */
  readonly exited: Promise<CommandRun>;
  /** Waits (bounded) until standard error shows `text`. */
  waitForLog(text: string, timeoutMs?: number): Promise<void>;
}

/**
 * Troupe as a service manager runs it: `node src/main.ts` (through tsx), standard input closed,
 * so signals reach it directly.
 */
export function startTroupe(env: Record<string, string>): TroupeService {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: repoRoot,
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<CommandRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      try {
        resolve(checked({ stdout, stderr, code, signal }));
      } catch (error) {
        reject(error);
      }
    });
  });
  // A test that fails before awaiting the exit still sees its own failure, not this one.
  exited.catch(() => {});
  return {
    pid: child.pid ?? 0,
    stdout: () => stdout,
    stderr: () => stderr,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    exited,
    async waitForLog(text, timeoutMs = 20_000) {
      for (const deadline = Date.now() + timeoutMs; !stderr.includes(text); ) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`troupe exited before logging ${JSON.stringify(text)}:\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`troupe never logged ${JSON.stringify(text)}:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
