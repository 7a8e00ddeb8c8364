/**
 * The bench's child processes and temporary folders: troupe (`npm start`) and the bare bots run as
 * real processes, each in its own process group so `npm` → `tsx` → `node` all stop together, and
 * every one (and every temp folder) is cleaned up even when a scenario throws or the bench is
 * interrupted: a scenario stops what it started, and an exit hook catches anything left over.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { repoRoot } from "../tests/helpers/run-troupe.js";

/** Kept per stream, so a chatty child cannot fill the bench's memory; failures quote the tail. */
const OUTPUT_LIMIT = 512 * 1024;
const STOP_WITHIN_MS = 5_000;

export interface BenchChild {
  readonly name: string;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Whether the process has ended. */
  exited(): boolean;
  /** Waits (bounded) until stdout or stderr contains `text`; throws with the output's tail otherwise. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** SIGTERM to the whole group, SIGKILL if it is still there after a few seconds. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

// Synchronous on purpose: an exit hook cannot await. A crash of the bench still leaves nothing behind.
process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => process.exit(130));
}

/** The child's last words on one line: a failure reason the bench prints as one line. */
const tail = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .slice(-3)
    .join(" | ")
    .slice(-400);

/** Starts `command args` in the repository, with only PATH, HOME and `env` in its environment. */
export function startChild(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
): BenchChild {
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  running.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout = (stdout + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  });
  let ended = false;
  const closed = new Promise<void>((resolve) => {
    child.once("close", () => {
      ended = true;
      running.delete(child);
      resolve();
    });
    child.once("error", (error) => {
      stderr += `\n${name} could not start: ${error.message}`;
      ended = true;
      running.delete(child);
      resolve();
    });
  });
  return {
    name,
    pid: child.pid ?? 0,
    stdout: () => stdout,
    stderr: () => stderr,
    exited: () => ended,
    async waitForOutput(text, timeoutMs = 30_000) {
      for (const deadline = Date.now() + timeoutMs; !stdout.includes(text) && !stderr.includes(text); ) {
        if (ended) throw new Error(`${name} exited before printing ${JSON.stringify(text)}: ${tail(stderr)}`);
        if (Date.now() > deadline)
          throw new Error(
            `${name} did not print ${JSON.stringify(text)} within ${timeoutMs} ms: ${tail(stderr)}`,
          );
        await delay(25);
      }
    },
    async stop() {
      if (ended) return;
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), STOP_WITHIN_MS);
      await closed;
      clearTimeout(timer);
      // npm may exit before the node process under it: whatever is left of the group goes too.
      killGroup(child, "SIGKILL");
    },
  };
}

/** troupe as a user starts it: `npm start`, configured by `env` alone. */
export function startTroupeChild(name: string, env: Record<string, string>): BenchChild {
  return startChild(name, "npm", ["start", "--silent"], env);
}

/** A bench program run the way the bare bots' header comments say: `node --import tsx <file>`. */
export function startTsxChild(name: string, file: string, env: Record<string, string>): BenchChild {
  return startChild(name, process.execPath, ["--import", "tsx", file], env);
}

/** A temporary folder removed by `removeTempDir`, or at the latest when the bench exits. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Stops every child given, together (each bounded by its own stop). */
export async function stopAll(children: (BenchChild | undefined)[]): Promise<void> {
  await Promise.all(children.map((child) => child?.stop()));
}

/** Polls `check` every `everyMs` until it holds or `timeoutMs` passes; says which. */
export async function pollUntil(check: () => boolean, timeoutMs: number, everyMs = 25): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; ; await delay(everyMs)) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
  }
}

/**
 * The bot's own process under `pid`: the deepest `node` among its descendants (npm → node for
 * troupe; a child that is not Node, such as tsx's esbuild service when the sources run through
 * tsx, is not the bot).
 */
export function botProcess(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const isNode = (candidate: number) => {
    try {
      return readFileSync(`/proc/${candidate}/comm`, "utf8").trim() === "node";
    } catch {
      return false;
    }
  };
  let current = pid;
  for (;;) {
    const next = (children.get(current) ?? []).find(isNode);
    if (next === undefined) return current;
    current = next;
  }
}

/** Whether something on loopback accepts a TCP connection at `port` (a bot's HTTP port is up). */
export async function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
