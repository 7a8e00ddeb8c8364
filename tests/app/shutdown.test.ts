/**
 * The shutdown: one ordered stop whoever asks (answers left to finish, then the rest ended, then
 * connectors, personas, store, the parts closed last), once, within the grace; the highest exit
 * code asked for wins; a signal while stopping exits at once; a hung step cannot outlast the
 * grace. Driven in-process with recording parts, an EventEmitter for the signals and a fake exit.
 */
import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createShutdown, DEFAULT_GRACE_MS, type Shutdown, stopBudget } from "../../src/app/shutdown.js";
import type { Connector } from "../../src/connectors/connector.js";
import { createRecordingLogger, type RecordingLogger } from "../helpers/recording-logger.js";

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}
function deferred(): Deferred {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

interface Harness {
  shutdown: Shutdown;
  signals: EventEmitter;
  logger: RecordingLogger;
  /** What was stopped (and when the bot's stop finished), in order. */
  events: string[];
  exits: number[];
  /** Resolves with the first exit code. */
  exited: Promise<number>;
  connector(name: string, stop?: () => Promise<void>): Connector;
}

interface HarnessOptions {
  /** The wait for answers in flight; resolves with how many still run (default: none, at once). */
  botDrain?: (withinMs: number) => Promise<number>;
  botStop?: (deliverWithinMs: number) => Promise<void>;
  storeClose?: () => Promise<void>;
  graceMs?: number;
}

function harness(options: HarnessOptions = {}): Harness {
  const events: string[] = [];
  const exits: number[] = [];
  const logger = createRecordingLogger();
  const signals = new EventEmitter();
  let onExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    onExit = resolve;
  });
  const shutdown = createShutdown({
    parts: {
      bot: {
        async drain(withinMs) {
          events.push("drain");
          return (await options.botDrain?.(withinMs)) ?? 0;
        },
        async stop(deliverWithinMs) {
          events.push("bot");
          await options.botStop?.(deliverWithinMs);
          events.push("bot stopped");
        },
      },
      personas: { close: () => events.push("personas") },
      store: {
        async close() {
          events.push("store");
          await options.storeClose?.();
        },
      },
      last: [{ name: "traces", close: () => void events.push("traces") }],
    },
    logger,
    signals,
    graceMs: options.graceMs,
    exit(code) {
      exits.push(code);
      events.push(`exit ${code}`);
      onExit(code);
    },
  });
  return {
    shutdown,
    signals,
    logger,
    events,
    exits,
    exited,
    connector: (name, stop) => ({
      name,
      start: async () => {},
      async stop() {
        events.push(name);
        await stop?.();
      },
    }),
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("shutdown", () => {
  it("stops the bot first, then the connectors in the order tracked, the personas, the store, and exits", async () => {
    const run = harness();
    run.shutdown.track(run.connector("discord"));
    run.shutdown.track(run.connector("slack"));
    run.shutdown.requestShutdown("end of input", 0);
    expect(await run.exited).toBe(0);
    expect(run.events).toEqual([
      "drain",
      "bot",
      "bot stopped",
      "discord",
      "slack",
      "personas",
      "store",
      "traces",
      "exit 0",
    ]);
    expect(run.logger.lines).toContainEqual({
      level: "info",
      message: "stopping",
      fields: { exitCode: 0, reason: "end of input", graceMs: DEFAULT_GRACE_MS },
    });
  });

  it("stops no connector until the bot has stopped, so answers in flight can still be sent", async () => {
    const answersInFlight = deferred();
    const run = harness({ botStop: () => answersInFlight.promise });
    run.shutdown.track(run.connector("discord"));
    run.shutdown.requestShutdown("SIGTERM", 0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(run.events).toEqual(["drain", "bot"]);
    answersInFlight.resolve();
    await run.exited;
    expect(run.events.indexOf("discord")).toBeGreaterThan(run.events.indexOf("bot stopped"));
  });

  it("runs once however many parts ask", async () => {
    const run = harness();
    run.shutdown.track(run.connector("console"));
    run.shutdown.requestShutdown("end of input", 0);
    run.shutdown.requestShutdown("ctrl-c", 0);
    await run.exited;
    run.shutdown.requestShutdown("late", 0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(run.events).toEqual([
      "drain",
      "bot",
      "bot stopped",
      "console",
      "personas",
      "store",
      "traces",
      "exit 0",
    ]);
    expect(run.exits).toEqual([0]);
  });

  it("exits with the highest code asked for: a fatal error's 1 wins over a clean stop asked after it", async () => {
    const run = harness();
    run.shutdown.requestShutdown("discord: the gateway refused the token", 1);
    run.shutdown.requestShutdown("SIGTERM", 0);
    expect(await run.exited).toBe(1);
    // A forced stop is an error line, with the reason that says what to fix.
    expect(run.logger.lines[0]).toEqual({
      level: "error",
      message: "stopping",
      fields: { exitCode: 1, reason: "discord: the gateway refused the token", graceMs: DEFAULT_GRACE_MS },
    });
  });

  it("lets answers finish for most of the grace, then gives the rest a reserve for their last writes", async () => {
    const asked: string[] = [];
    const run = harness({
      graceMs: 20_000,
      botDrain: async (withinMs) => {
        asked.push(`finish within ${withinMs}`);
        return 2;
      },
      botStop: async (deliverWithinMs) => {
        asked.push(`last writes within ${deliverWithinMs}`);
      },
    });
    run.shutdown.requestShutdown("SIGTERM", 0);
    await run.exited;
    // 20 s: 12 s to finish, 6 s for the last writes, 2 s to disconnect and close the store.
    expect(asked).toEqual(["finish within 12000", "last writes within 6000"]);
    expect(run.logger.lines).toContainEqual({
      level: "warn",
      message: "stopping: answers still running at the end of the wait are ended with the interrupted note",
      fields: { running: 2, waitedMs: 12_000 },
    });
    // A short grace keeps a share for the reserves too.
    expect(stopBudget(800)).toEqual({ finishMs: 380, lastWritesMs: 320 });
  });

  it("says nothing of answers ended when every answer finished in the wait", async () => {
    const run = harness({ botDrain: async () => 0 });
    run.shutdown.requestShutdown("SIGTERM", 0);
    await run.exited;
    expect(run.logger.lines.filter((line) => line.level === "warn")).toEqual([]);
  });

  it("raises the exit code when a failure is reported while a clean stop is running", async () => {
    const slowStop = deferred();
    const run = harness({ botStop: () => slowStop.promise });
    run.shutdown.requestShutdown("end of input", 0);
    run.shutdown.requestShutdown("slack: socket closed for good", 1);
    slowStop.resolve();
    expect(await run.exited).toBe(1);
    expect(run.logger.lines).toContainEqual({
      level: "error",
      message: "already stopping: exit code raised",
      fields: { exitCode: 1, reason: "slack: socket closed for good" },
    });
  });

  it("stops on SIGINT and SIGTERM with exit code 0, the signal as the reason", async () => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const run = harness();
      run.signals.emit(signal);
      expect(await run.exited).toBe(0);
      expect(run.logger.lines[0]).toEqual({
        level: "info",
        message: "stopping",
        fields: { exitCode: 0, reason: signal, graceMs: DEFAULT_GRACE_MS },
      });
    }
  });

  it("exits at once on a second signal while stopping, with a log line saying what was pending", async () => {
    const hung = deferred();
    // The answers in flight are being waited for: the second Ctrl-C does not wait for them.
    const run = harness({ botDrain: () => hung.promise.then(() => 0) });
    vi.useFakeTimers();
    run.signals.emit("SIGINT");
    // The same Ctrl-C passed on by npm and tsx: still the one stop.
    run.signals.emit("SIGINT");
    expect(run.exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    run.signals.emit("SIGINT");
    vi.useRealTimers();
    expect(await run.exited).toBe(130);
    expect(run.logger.lines).toContainEqual({
      level: "warn",
      message: "signal while stopping: exiting now",
      fields: { signal: "SIGINT", pending: "answers", exitCode: 130 },
    });
    // The stop finishing afterwards does not exit a second time.
    hung.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(run.exits).toEqual([130]);
  });

  it("exits at once on SIGTERM while a stop asked by the terminal chat runs", async () => {
    const run = harness({ botStop: () => new Promise(() => {}) });
    run.shutdown.requestShutdown("end of input", 0);
    run.signals.emit("SIGTERM");
    expect(await run.exited).toBe(143);
  });

  it("exits when the stop outlasts the grace, keeping the code asked for and naming the step pending", async () => {
    vi.useFakeTimers();
    const run = harness({ storeClose: () => new Promise(() => {}) });
    run.shutdown.requestShutdown("end of input", 1);
    await vi.advanceTimersByTimeAsync(DEFAULT_GRACE_MS - 1);
    expect(run.exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(run.exits).toEqual([1]);
    expect(run.logger.lines).toContainEqual({
      level: "warn",
      message: "stop did not finish in time: exiting anyway",
      fields: { graceMs: DEFAULT_GRACE_MS, pending: "store", exitCode: 1 },
    });
  });

  it("takes a shorter grace when given one", async () => {
    const run = harness({ botStop: () => new Promise(() => {}), graceMs: 1 });
    run.shutdown.requestShutdown("SIGTERM", 0);
    expect(await run.exited).toBe(0);
    expect(run.events).toEqual(["drain", "bot", "exit 0"]);
  });

  it("logs a step that fails and still runs the ones after it", async () => {
    const run = harness({
      botStop: () => Promise.reject(new Error("handler stuck")),
      storeClose: () => Promise.reject(new Error("redis went away")),
    });
    run.shutdown.track(run.connector("discord", () => Promise.reject(new Error("gateway gone"))));
    run.shutdown.track(run.connector("slack"));
    run.shutdown.requestShutdown("SIGTERM", 0);
    expect(await run.exited).toBe(0);
    expect(run.events).toEqual(["drain", "bot", "discord", "slack", "personas", "store", "traces", "exit 0"]);
    const warnings = run.logger.lines.filter((line) => line.level === "warn");
    expect(warnings.map((line) => [line.message, line.fields.step ?? line.fields.connector])).toEqual([
      ["did not stop cleanly", "bot"],
      ["connector did not stop cleanly", "discord"],
      ["did not stop cleanly", "store"],
    ]);
    expect(warnings.map((line) => (line.fields.err as Error).message)).toEqual([
      "handler stuck",
      "gateway gone",
      "redis went away",
    ]);
  });

  it("stops a connector tracked after the connectors were stopped", async () => {
    const hungStore = deferred();
    const run = harness({ storeClose: () => hungStore.promise });
    run.shutdown.requestShutdown("SIGTERM", 0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(run.events).toContain("store");
    run.shutdown.track(run.connector("slack"));
    expect(run.events).toContain("slack");
    hungStore.resolve();
    await run.exited;
  });
});
