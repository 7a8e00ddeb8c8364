/**
 * One pino JSON record as one short line a person reads on a terminal:
 * `14:02:07 WARN  model call failed: retrying  code=unavailable attempt=1 — ModelError: Ollama answered HTTP 500`.
 * Time, level, message, the record's plain fields, and the error's message (pino's serializer has
 * already joined its causes) on the same line. The stack is printed, indented, only when asked for
 * (LOG_LEVEL debug or trace): at the default levels a person needs what failed, not where.
 *
 * Our own rather than pino-pretty: one line per record with our choice of fields is a few dozen
 * lines, and pino-pretty's default output is a multi-line object dump with its own dependencies.
 * Everything a record says goes through terminalSafe: log fields carry model errors and persona
 * file names, which may come from anyone; only the colour codes around the time and level are raw.
 */
import { terminalSafe } from "./terminal-safe-text.js";

export interface PrettyLogOptions {
  /** Print the error's stack under the line (debug and trace). */
  stacks: boolean;
  /** ANSI colours for the time and the level (a colour terminal without NO_COLOR). */
  color: boolean;
  /**
   * Leave out records marked `notice: true`: the terminal chat already shows them on this screen,
   * readable and with their fix, as notices before its greeting.
   */
  hideNotices: boolean;
}

const INFO = { label: "INFO ", color: "36" };
const LEVELS: Record<number, { label: string; color: string }> = {
  10: { label: "TRACE", color: "2" },
  20: { label: "DEBUG", color: "2" },
  30: INFO,
  40: { label: "WARN ", color: "33" },
  50: { label: "ERROR", color: "31" },
  60: { label: "FATAL", color: "1;31" },
};

/** pino's own fields, and the ones shown elsewhere on the line (msg, err) or never (notice). */
const NOT_SHOWN_AS_FIELDS = new Set(["level", "time", "pid", "hostname", "app", "msg", "err", "notice"]);
const MAX_VALUE_CHARS = 160;

/**
 * The line (ending in a newline, with the stack below it when asked for), or undefined for a record
 * that is not shown. A line that is not a JSON object is shown as it came, made terminal-safe.
 */
export function formatLogLine(json: string, options: PrettyLogOptions): string | undefined {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    record = undefined;
  }
  if (!isRecord(record)) return json.trim() === "" ? undefined : `${terminalSafe(json.trimEnd())}\n`;
  if (options.hideNotices && record.notice === true) return undefined;

  const paint = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const level = (typeof record.level === "number" ? LEVELS[record.level] : undefined) ?? INFO;
  // What the record says is made safe piece by piece, before the colour codes go around it.
  const parts = [paint("2", clockTime(record.time)), paint(level.color, level.label)];
  if (typeof record.msg === "string" && record.msg !== "") parts.push(terminalSafe(oneLine(record.msg)));
  const fields = Object.entries(record)
    .filter(([key]) => !NOT_SHOWN_AS_FIELDS.has(key))
    .flatMap(([key, value]) => {
      const shown = fieldValue(value);
      return shown === undefined ? [] : [`${key}=${shown}`];
    });
  if (fields.length > 0) parts.push(` ${terminalSafe(fields.join(" "))}`);
  const error = isRecord(record.err) ? record.err : undefined;
  if (error !== undefined) parts.push(`— ${terminalSafe(errorLine(error))}`);

  let text = `${parts.join(" ")}\n`;
  if (options.stacks && typeof error?.stack === "string") {
    // The first line of a stack repeats the message shown above.
    const frames = error.stack.split("\n").slice(1);
    text += frames.map((frame) => `    ${terminalSafe(frame.trim())}\n`).join("");
  }
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** HH:MM:SS in the local time zone: a person at the terminal compares it with their clock. */
function clockTime(time: unknown): string {
  const date = typeof time === "string" || typeof time === "number" ? new Date(time) : new Date();
  const valid = Number.isNaN(date.getTime()) ? new Date() : date;
  return [valid.getHours(), valid.getMinutes(), valid.getSeconds()]
    .map((part) => String(part).padStart(2, "0"))
    .join(":");
}

/** Strings, numbers and booleans, and lists of them; objects (token usage, headers) stay in the file. */
function fieldValue(value: unknown): string | undefined {
  if (typeof value === "string") return quoted(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value) && value.every((item) => ["string", "number", "boolean"].includes(typeof item)))
    return quoted(value.join(","));
  return undefined;
}

/** Bare when it is one word; JSON-quoted otherwise (which also escapes newlines); long values cut. */
function quoted(value: string): string {
  const cut = value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS - 1)}…` : value;
  return /^[^\s"=]+$/.test(cut) ? cut : JSON.stringify(cut);
}

/** `ModelError: the server failed: connect ECONNREFUSED`: the type, then the message with its causes. */
function errorLine(error: Record<string, unknown>): string {
  const message = typeof error.message === "string" ? oneLine(error.message) : "";
  const type = typeof error.type === "string" && error.type !== "Error" ? error.type : "";
  return [type, message].filter((part) => part !== "").join(": ") || "error";
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, " / ");
}
