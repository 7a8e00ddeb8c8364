/** A rejection nobody awaited or an exception from a callback is logged with its cause, not fatal. */
import { EventEmitter } from "node:events";
import { expect, it } from "vitest";
import { logStrayErrors } from "../../src/app/log-stray-errors.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";

it("logs unhandled rejections and uncaught exceptions as errors with their cause", () => {
  const source = new EventEmitter();
  const logger = createRecordingLogger();
  logStrayErrors(logger, source);
  const rejected = new Error("a handler forgot to await");
  const thrown = new Error("a callback threw");
  source.emit("unhandledRejection", rejected, Promise.resolve());
  source.emit("uncaughtException", thrown, "uncaughtException");
  expect(logger.lines).toEqual([
    { level: "error", message: "unhandled rejection", fields: { err: rejected } },
    { level: "error", message: "uncaught exception", fields: { err: thrown } },
  ]);
});
