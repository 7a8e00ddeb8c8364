/**
 * Structured logs as JSON lines on standard error: standard output belongs to the terminal chat's
 * answers. Written synchronously so the line that explains a fatal start-up error is never lost.
 */
import { pino } from "pino";
import type { Logger } from "../lib/logger.js";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export function createLogger(level: LogLevel): Logger {
  return pino(
    { level, base: { app: "troupe" }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: 2, sync: true }),
  );
}

/**
 * LOG_LEVEL when it is set. Otherwise the interactive terminal chat, which shares the screen with
 * the log, shows warnings and worse; a service or a pipe logs from info.
 */
export function chooseLogLevel(configured: LogLevel | undefined, interactive: boolean): LogLevel {
  return configured ?? (interactive ? "warn" : "info");
}
