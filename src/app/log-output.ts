/**
 * Where the log goes and how it reads, decided once at start-up from LOG_LEVEL, LOG_FORMAT,
 * LOG_FILE and what standard input and standard error are. The rule: the chat shows people text,
 * not logs. When the interactive terminal chat owns the screen, the log goes to a file
 * (./data/troupe.log, beside the SQLite store); when standard error is a terminal otherwise, it
 * shows short readable lines; when it is not a terminal (a service manager, a pipe, a script), JSON
 * lines as before, which is what log collectors read. LOG_FORMAT and LOG_FILE override the choice.
 */
import { dirname, join } from "node:path";
import type { Config } from "../config.js";
import { opensTerminalChat } from "./platform-connectors.js";

export type LogLevel = NonNullable<Config["LOG_LEVEL"]>;

export type LogSettings = Pick<
  Config,
  "LOG_LEVEL" | "LOG_FORMAT" | "LOG_FILE" | "STORE_URL" | "DISCORD_TOKEN" | "SLACK_BOT_TOKEN"
>;

export interface LogTerminal {
  stdinIsTTY: boolean;
  stderrIsTTY: boolean;
}

export interface LogOutput {
  level: LogLevel;
  /** JSON lines appended to this file. */
  file?: string;
  /** What goes to standard error: JSON lines, readable lines, or nothing (all in the file). */
  stderr?: "json" | "pretty";
  /** The terminal chat shows the start-up notices on this screen: readable lines leave them out. */
  noticesOnScreen: boolean;
}

const LOG_FILE_NAME = "troupe.log";

export function chooseLogOutput(settings: LogSettings, terminal: LogTerminal): LogOutput {
  const chat = opensTerminalChat(settings);
  // Interactive chat on a terminal whose standard error is that same screen.
  const chatOnScreen = chat && terminal.stdinIsTTY && terminal.stderrIsTTY;
  const format = settings.LOG_FORMAT;
  const file =
    settings.LOG_FILE === "-"
      ? undefined
      : (settings.LOG_FILE ??
        (chatOnScreen && format === undefined ? defaultLogFile(settings.STORE_URL) : undefined));
  const stderr =
    file !== undefined
      ? format === "pretty"
        ? "pretty"
        : undefined
      : (format ?? (terminal.stderrIsTTY ? "pretty" : "json"));
  // Readable lines beside a chat show warnings and worse; a file, a service or a pipe gets info.
  const level = settings.LOG_LEVEL ?? (stderr === "pretty" && chat ? "warn" : "info");
  // Silent: no file is created and none is named, so nothing points to a log that says nothing.
  if (level === "silent") return { level, stderr: "json", noticesOnScreen: false };
  return {
    level,
    ...(file === undefined ? {} : { file }),
    ...(stderr === undefined ? {} : { stderr }),
    noticesOnScreen: chatOnScreen,
  };
}

/**
 * troupe.log in the SQLite store's folder (./data by default), where troupe already keeps its
 * state; ./data/troupe.log for the other stores.
 */
export function defaultLogFile(storeUrl: string): string {
  const sqlite = /^sqlite:\/\/(.+)$/.exec(storeUrl)?.[1];
  const folder = sqlite === undefined || sqlite === ":memory:" ? "data" : dirname(sqlite);
  return join(folder, LOG_FILE_NAME);
}
