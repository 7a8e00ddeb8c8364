/**
 * The last line of defence: a bug in one handler (a rejection nobody awaited, an exception thrown
 * from a callback) is logged with its cause and never takes the process, and everyone else's
 * chats, down with it.
 */
import type { Logger } from "../lib/logger.js";

/** `process` in production; any EventEmitter in tests. */
export function logStrayErrors(logger: Logger, source: NodeJS.EventEmitter = process): void {
  source.on("unhandledRejection", (reason: unknown) => logger.error({ err: reason }, "unhandled rejection"));
  source.on("uncaughtException", (error: unknown) => logger.error({ err: error }, "uncaught exception"));
}
