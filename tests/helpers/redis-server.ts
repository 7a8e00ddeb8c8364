import { type ChildProcess, spawn } from "node:child_process";
import { createConnection } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { freePort } from "./free-port.js";

/** Kept here too: many tests and benches took the free-port helper from this file. */
export { freePort };

/**
 * A real redis-server on loopback for the store tests: a free port, no persistence, gone on stop().
 * Missing redis-server is a failure, never a skip: CI installs it (.ci/run).
 */
export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the server abruptly (SIGKILL), as a crash would, and waits for it to exit. */
  crash(): Promise<void>;
  /** The process, for tests that pause it (SIGSTOP) to play a hung server. */
  process: ChildProcess;
}

const READY_WITHIN_MS = 10_000;
const EXIT_WITHIN_MS = 5_000;

export async function startRedisServer(options: { port?: number } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--loglevel",
      "warning",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT"
          ? new Error(
              "redis-server is not installed, and the store tests need a real one: " +
                "run `apt-get install redis-server` (CI does so in .ci/run)",
            )
          : error,
      );
    });
  });
  await spawned;

  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + READY_WITHIN_MS;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server on port ${port} did not start:\n${output}`);
    }
    await delay(50);
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGCONT"); // in case a test left it paused
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), EXIT_WITHIN_MS);
      await exited;
      clearTimeout(killer);
    },
    async crash() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** True once something on the port answers PING with PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const finish = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once("error", () => finish(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => finish(data.toString().startsWith("+PONG")));
  });
}
