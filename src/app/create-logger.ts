/**
 * The logger, writing where log-output.ts decided: JSON lines appended to a file, JSON lines on
 * standard error, or short readable lines there (pretty-log-line.ts); a file and readable lines
 * together when both are asked for. JSON lines on standard error (a service: a line per answer)
 * are written in batches, off the answer path; readable lines and the file are written at once.
 * pino flushes what is still batched when the process exits, so the line that explains a fatal
 * start-up error is never lost to process.exit. The log file is named once, in one
 * line on standard error; a file that cannot be opened is said once too, and the log falls back to
 * standard error.
 */
import { mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { pino } from "pino";
import type { Config } from "../config.js";
import type { Logger } from "../lib/logger.js";
import { formatLogLine } from "../lib/pretty-log-line.js";
import { chooseLogOutput, type LogOutput, type LogSettings, type LogTerminal } from "./log-output.js";

interface Destination {
  write(text: string): unknown;
}

export interface LoggerStreams {
  /** Standard error. Default: file descriptor 2 (batched for JSON lines, see the header). */
  stderr?: Destination;
}

export function createLogger(
  settings: LogSettings & Pick<Config, "NO_COLOR">,
  terminal: LogTerminal,
  streams: LoggerStreams = {},
): Logger {
  const planned = chooseLogOutput(settings, terminal);
  // A synchronous write per line cost ~45 µs an answer under load (npm run bench -- slack-load).
  const stderr = streams.stderr ?? pino.destination({ fd: 2, sync: planned.stderr !== "json" });
  let output = planned;
  let file: Destination | undefined;
  let fileProblem: unknown;
  if (planned.file !== undefined) {
    try {
      file = openLogFile(planned.file);
    } catch (error) {
      // What would have been chosen without a file: readable lines on a terminal, else JSON.
      fileProblem = error;
      output = chooseLogOutput({ ...settings, LOG_FILE: "-" }, terminal);
    }
  }

  const targets: Destination[] = [];
  if (file !== undefined) targets.push(file);
  if (output.stderr === "json") targets.push(stderr);
  if (output.stderr === "pretty") targets.push(prettyStream(stderr, output, settings, terminal));
  const options = { level: output.level, base: { app: "troupe" }, timestamp: pino.stdTimeFunctions.isoTime };
  const logger =
    targets.length === 1 && targets[0] !== undefined
      ? pino(options, targets[0])
      : pino(options, pino.multistream(targets.map((stream) => ({ level: output.level, stream }))));

  if (file !== undefined) stderr.write(`Logs: ${planned.file}\n`);
  if (fileProblem !== undefined) {
    const reason = fileProblem instanceof Error ? fileProblem.message : String(fileProblem);
    if (output.stderr === "pretty") {
      stderr.write(`Logs: cannot write ${planned.file} (${reason}); showing them here instead.\n`);
    } else {
      logger.warn(
        { err: fileProblem, file: planned.file },
        "cannot write the log file: logging to standard error",
      );
    }
  }
  return logger;
}

/** Appends to `path`, creating it (and its folder) readable by its owner only: logs name people. */
function openLogFile(path: string): Destination {
  const folder = dirname(path);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    // Node says "EEXIST: file already exists, mkdir" for a file standing where the folder goes.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new Error(`${folder} is not a folder`);
    throw error;
  }
  const fd = openSync(path, "a", 0o600);
  return pino.destination({ fd, sync: true });
}

function prettyStream(
  stderr: Destination,
  output: LogOutput,
  settings: Pick<Config, "NO_COLOR">,
  terminal: LogTerminal,
): Destination {
  const options = {
    stacks: output.level === "debug" || output.level === "trace",
    color: terminal.stderrIsTTY && settings.NO_COLOR === undefined,
    hideNotices: output.noticesOnScreen,
  };
  return {
    write(line: string) {
      const text = formatLogLine(line, options);
      if (text !== undefined) stderr.write(text);
    },
  };
}
