/** Helpers for the persona directory tests: a logger that remembers, temp dirs, and bounded waits. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../../src/lib/logger.js";

export interface LogRecord {
  level: "debug" | "info" | "warn" | "error";
  fields: Record<string, unknown>;
  message: string;
}

export interface RecordingLogger extends Logger {
  records: LogRecord[];
}

export function createRecordingLogger(): RecordingLogger {
  const records: LogRecord[] = [];
  const at =
    (level: LogRecord["level"]) =>
    (fieldsOrMessage: Record<string, unknown> | string, message?: string): void => {
      if (typeof fieldsOrMessage === "string") records.push({ level, fields: {}, message: fieldsOrMessage });
      else records.push({ level, fields: fieldsOrMessage, message: message ?? "" });
    };
  const logger: RecordingLogger = {
    records,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => logger,
  };
  return logger;
}

export async function createTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "troupe-personas-"));
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Polls until the condition holds; fails with the description after a bounded wait. */
export async function waitFor(
  description: string,
  condition: () => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
