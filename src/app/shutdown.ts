/**
 * How the running process stops, whoever asks: a signal, the end of the terminal chat's input, or
 * (next) a connector that hits a fatal platform error. Every one of them calls `requestShutdown`;
 * the first call starts the ordered stop, later calls can only raise the exit code, so a fatal
 * error's non-zero code wins over a clean stop asked for after it.
 *
 * The order, all within the grace (SHUTDOWN_GRACE_SECONDS): the bot stops taking new events and
 * the answers in flight are left to FINISH, for most of the grace; the ones still running then are
 * ended with the interrupted note and their last writes get a reserve (see stopBudget); then the
 * connectors disconnect, the persona watcher and the store close, and last whatever was handed in
 * to close after them (the trace exporter's flush). Each step that fails is logged and the next one
 * still runs. A step that hangs (a platform that never answers a close) cannot keep the process
 * alive past the grace; an answer that cannot be posted in time is logged and its question stored,
 * never dropped by the exit. A signal that arrives while stopping (a second Ctrl-C) exits at once,
 * except the same signal within SAME_SIGNAL_MS of the first: that is one Ctrl-C reaching troupe
 * twice (the terminal signals the whole process group, and `npm start` and tsx pass it on too).
 */
import type { Connector } from "../connectors/connector.js";
import type { Logger } from "../lib/logger.js";

/** SHUTDOWN_GRACE_SECONDS' default: a service manager must allow more (compose: stop_grace_period). */
export const DEFAULT_GRACE_MS = 20_000;
/**
 * Of the grace, the most kept for the last writes of the answers that did not finish: a Discord
 * channel's write budget (4 per 6 s) may hold the last edit for most of a window.
 */
const LAST_WRITES_MS = 6_000;
/** Of the grace, the most kept for the steps after the answers: disconnecting, closing the store. */
const AFTER_ANSWERS_MS = 2_000;

export interface StopBudget {
  /** How long answers in flight may run on to their end. */
  finishMs: number;
  /** Then, for the answers still running: their interrupted note and last writes. */
  lastWritesMs: number;
}

/** How `graceMs` is shared: the reserves are capped at 40 % and an eighth of it. */
export function stopBudget(graceMs: number): StopBudget {
  const lastWritesMs = Math.min(LAST_WRITES_MS, graceMs * 0.4);
  const afterMs = Math.min(AFTER_ANSWERS_MS, graceMs / 8);
  return { finishMs: Math.max(0, graceMs - lastWritesMs - afterMs), lastWritesMs };
}

/** A repeat of the first signal within this long is the same request, passed on by a parent. */
const SAME_SIGNAL_MS = 1_000;

export type ShutdownSignal = "SIGINT" | "SIGTERM";
const SIGNALS: readonly ShutdownSignal[] = ["SIGINT", "SIGTERM"];
/** The shell's convention for "ended by a signal": 128 + the signal's number. */
const SIGNAL_EXIT_CODES: Record<ShutdownSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** What is stopped after the connectors (which are tracked as they start). */
export interface StoppableParts {
  bot: {
    /** Takes no new event; resolves when none is in flight or at `withinMs`, with how many still run. */
    drain(withinMs: number): Promise<number>;
    /** Ends the answers still running with the interrupted note; their writes get `deliverWithinMs`. */
    stop(deliverWithinMs: number): Promise<void>;
  };
  personas: { close(): void };
  store: { close(): Promise<void> };
  /** Closed after the store, in order (the trace exporter's last flush). */
  last?: readonly { name: string; close(): Promise<void> | void }[];
}

/** `process` in production; an EventEmitter in tests. */
export interface SignalSource {
  on(signal: ShutdownSignal, listener: () => void): unknown;
}

export interface ShutdownOptions {
  parts: StoppableParts;
  logger: Logger;
  /** Ends the process: `process.exit` in production. */
  exit(code: number): void;
  /** Where SIGINT and SIGTERM come from; unset: no signal handling. */
  signals?: SignalSource;
  /** SHUTDOWN_GRACE_SECONDS in ms; default DEFAULT_GRACE_MS. */
  graceMs?: number;
}

/** Asks the process to stop. Safe to call any number of times, from anywhere. */
export type RequestShutdown = (reason: string, exitCode: number) => void;

export interface Shutdown {
  readonly requestShutdown: RequestShutdown;
  /** Adds a connector to the connectors step (in the order tracked). One tracked late is stopped at once. */
  track(connector: Connector): void;
}

export function createShutdown(options: ShutdownOptions): Shutdown {
  const { parts, logger } = options;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const budget = stopBudget(graceMs);
  const connectors: Connector[] = [];
  let exitCode = 0;
  let stopping = false;
  let connectorsStopped = false;
  let exited = false;
  /** The step running now, for the log line when the stop is cut short. */
  let pending = "";

  function exit(code: number) {
    if (exited) return;
    exited = true;
    options.exit(code);
  }

  /** Runs one step; a failure is logged, never stops the steps after it. */
  async function step(name: string, run: () => unknown): Promise<void> {
    pending = name;
    try {
      await run();
    } catch (error) {
      logger.warn({ err: error, step: name }, "did not stop cleanly");
    }
  }

  async function stopConnector(connector: Connector): Promise<void> {
    await connector.stop().catch((error: unknown) => {
      logger.warn({ err: error, connector: connector.name }, "connector did not stop cleanly");
    });
  }

  async function stopInOrder(): Promise<void> {
    await step("answers", async () => {
      const running = await parts.bot.drain(budget.finishMs);
      if (running > 0)
        logger.warn(
          { running, waitedMs: Math.round(budget.finishMs) },
          "stopping: answers still running at the end of the wait are ended with the interrupted note",
        );
    });
    await step("bot", () => parts.bot.stop(budget.lastWritesMs));
    await step("connectors", async () => {
      connectorsStopped = true;
      await Promise.all(connectors.map(stopConnector));
    });
    await step("personas", () => parts.personas.close());
    await step("store", () => parts.store.close());
    for (const part of parts.last ?? []) await step(part.name, () => part.close());
  }

  function requestShutdown(reason: string, code: number) {
    if (stopping) {
      if (code > exitCode) {
        logger.error({ exitCode: code, reason }, "already stopping: exit code raised");
        exitCode = code;
      } else logger.debug({ exitCode: code, reason }, "already stopping");
      return;
    }
    stopping = true;
    exitCode = Math.max(exitCode, code);
    // A stop a failure forced is an error in the log too: the reason says what and how to fix it.
    logger[code === 0 ? "info" : "error"]({ exitCode: code, graceMs, reason }, "stopping");
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), graceMs);
    });
    void Promise.race([stopInOrder().then(() => "done" as const), grace]).then((outcome) => {
      clearTimeout(timer);
      if (outcome === "timeout") {
        logger.warn({ graceMs, pending, exitCode }, "stop did not finish in time: exiting anyway");
      }
      exit(exitCode);
    });
  }

  let firstSignal: { signal: ShutdownSignal; at: number } | undefined;

  function onSignal(signal: ShutdownSignal) {
    if (!stopping) {
      firstSignal = { signal, at: Date.now() };
      return requestShutdown(signal, 0);
    }
    if (firstSignal?.signal === signal && Date.now() - firstSignal.at < SAME_SIGNAL_MS) {
      logger.debug({ signal }, "the same signal again, passed on by a parent process: still stopping");
      return;
    }
    // Someone pressing Ctrl-C again does not want to wait for the stop.
    const code = Math.max(exitCode, SIGNAL_EXIT_CODES[signal]);
    logger.warn({ signal, pending, exitCode: code }, "signal while stopping: exiting now");
    exit(code);
  }
  for (const signal of SIGNALS) options.signals?.on(signal, () => onSignal(signal));

  return {
    requestShutdown,
    track(connector) {
      connectors.push(connector);
      if (connectorsStopped) void stopConnector(connector);
    },
  };
}
