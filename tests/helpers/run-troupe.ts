/** Runs troupe's commands exactly as a user would, and collects what they printed. */
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

/** Only loopback: every URL a test passes points at a fake on 127.0.0.1. */
export function runCommand(
  command: string,
  args: string[],
  options: CommandOptions = {},
): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env:
        options.env === undefined
          ? process.env
          : { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...options.env },
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
    child.on("close", (code, signal) => resolve({ stdout, stderr, code, signal }));
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
