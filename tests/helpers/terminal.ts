/**
 * A command on a real pseudo-terminal (util-linux `script` provides one), as a person at a terminal
 * runs it: what it shows, typed input, and which of its processes are still alive.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { repoRoot } from "./run-troupe.js";

export interface Terminal {
  child: ChildProcessWithoutNullStreams;
  /** Everything shown so far. */
  screen(): string;
  /** Waits (bounded) until the screen shows `text`, `times` times in all. */
  waitFor(text: string, times?: number): Promise<void>;
  /** Resolves with the exit code of `script`, which is the command's. */
  exited: Promise<number | null>;
  /** The command lines of the processes started under this terminal that are still running. */
  processes(): string[];
  /** Kills whatever still runs under this terminal: after a failed test, nothing is left behind. */
  kill(): void;
}

/** Marks every process started under one terminal: their environment is inherited. */
const MARK = "TROUPE_TEST_TERMINAL";

/**
 * `command` (a shell line, e.g. "npm start") in the repository, with only these variables
 * (`undefined` leaves one of the defaults out, e.g. NO_COLOR).
 */
export function openTerminal(command: string, env: Record<string, string | undefined>): Terminal {
  const mark = randomUUID();
  const child = spawn("script", ["-qec", command, "/dev/null"], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      TERM: "dumb",
      NO_COLOR: "1",
      [MARK]: mark,
      ...env,
    },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    child,
    screen: () => output,
    exited,
    processes: () => markedProcesses(`${MARK}=${mark}`).map(({ command }) => command),
    kill() {
      for (const { pid } of markedProcesses(`${MARK}=${mark}`)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    },
    async waitFor(text, times = 1) {
      for (let waited = 0; output.split(text).length - 1 < times; waited += 50) {
        if (waited > 30_000) throw new Error(`never saw ${JSON.stringify(text)} on screen:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** Live processes whose environment holds `entry`. */
function markedProcesses(entry: string): { pid: number; command: string }[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const environment = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
        if (!environment.includes(entry)) return [];
        const status = readFileSync(`/proc/${pid}/stat`, "utf8");
        // A zombie has ended; only its parent has yet to collect the exit code.
        if (/^\d+ \(.*\) Z /s.test(status)) return [];
        const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
        return [{ pid: Number(pid), command }];
      } catch {
        // Gone between the listing and the read, or not ours to read.
        return [];
      }
    });
}
