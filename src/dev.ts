/**
 * `npm run dev`: troupe, restarted when a TypeScript file in src/ or commands/ changes. Persona
 * files reload by themselves and restart nothing.
 *
 * Why not `tsx watch`: it restarts on every Enter (it reads the terminal for a restart key), so the
 * chat could not be used, and it outlives a chat ended with Ctrl-C. This watcher never reads
 * standard input: the terminal is the chat's alone. When troupe ends by itself (Ctrl-C or the end
 * of input in the chat) the watcher ends too, with troupe's exit code; only a failed start on a
 * terminal (exit code not 0, e.g. a syntax error being fixed) waits for the next change.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { type FSWatcher, watch } from "node:fs";
import { constants } from "node:os";

const WATCHED = ["src", "commands"];
/** Editors save in several steps; changes this close together are one restart. */
const SETTLE_MS = 150;

const args = process.argv.slice(2);
const onTerminal = process.stdin.isTTY === true;
let child: ChildProcess | undefined;
let restarting = false;
let stopping = false;
let settle: NodeJS.Timeout | undefined;

function start(): void {
  const running = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], { stdio: "inherit" });
  child = running;
  running.on("exit", (code, signal) => {
    child = undefined;
    if (restarting && !stopping) {
      restarting = false;
      start();
      return;
    }
    // The shell's convention for "ended by a signal": 128 + its number.
    const exitCode = code ?? 128 + (signal === null ? 0 : constants.signals[signal]);
    if (stopping || !onTerminal || exitCode === 0) {
      finish(exitCode);
      return;
    }
    process.stderr.write(
      `troupe exited with code ${exitCode}; npm run dev restarts it when a file in src/ or commands/ changes (Ctrl-C to leave).\n`,
    );
  });
}

function restart(file: string): void {
  // Already on its way: a second SIGTERM would make troupe skip its orderly stop.
  if (stopping || restarting) return;
  process.stderr.write(`${file} changed: restarting troupe.\n`);
  if (child === undefined) {
    start();
    return;
  }
  restarting = true;
  // The same graceful stop as `kill`: troupe finishes what it was saying to the store.
  child.kill("SIGTERM");
}

const watchers: FSWatcher[] = WATCHED.map((folder) =>
  watch(folder, { recursive: true }, (_event, name) => {
    // Only sources: an editor's swap and backup files are not a reason to restart.
    if (name === null || !/\.(ts|json)$/.test(name)) return;
    clearTimeout(settle);
    settle = setTimeout(() => restart(`${folder}/${name}`), SETTLE_MS);
  }),
);

function finish(exitCode: number): void {
  clearTimeout(settle);
  for (const watcher of watchers) watcher.close();
  process.exit(exitCode);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    stopping = true;
    if (child === undefined) {
      finish(128 + constants.signals[signal]);
      return;
    }
    // Ctrl-C on a terminal reaches troupe as well (same process group): a second signal would make
    // it skip its orderly stop. Any other signal was sent to this process alone: pass it on.
    if (!(signal === "SIGINT" && onTerminal)) child.kill(signal);
  });
}

start();
