/** A Logger that keeps every line, so tests can assert that a failure was logged with its cause. */
import type { Logger } from "../../src/lib/logger.js";

export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown>;
}

export interface RecordingLogger extends Logger {
  readonly lines: LogLine[];
}

export function createRecordingLogger(
  lines: LogLine[] = [],
  bindings: Record<string, unknown> = {},
): RecordingLogger {
  const log =
    (level: LogLine["level"]) =>
    (first: Record<string, unknown> | string, message?: string): void => {
      if (typeof first === "string") lines.push({ level, message: first, fields: { ...bindings } });
      else lines.push({ level, message: message ?? "", fields: { ...bindings, ...first } });
    };
  return {
    lines,
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (more) => createRecordingLogger(lines, { ...bindings, ...more }),
  };
}
