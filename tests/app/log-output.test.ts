/** Where the log goes: a file beside the chat's screen, readable lines on a terminal, JSON elsewhere. */
import { describe, expect, it } from "vitest";
import { chooseLogOutput, defaultLogFile, type LogSettings } from "../../src/app/log-output.js";

const base: LogSettings = {
  LOG_LEVEL: undefined,
  LOG_FORMAT: undefined,
  LOG_FILE: undefined,
  STORE_URL: "sqlite://./data/troupe.sqlite",
  DISCORD_TOKEN: undefined,
  SLACK_BOT_TOKEN: undefined,
};
const interactive = { stdinIsTTY: true, stderrIsTTY: true };
const service = { stdinIsTTY: false, stderrIsTTY: false };
const pipedInTerminal = { stdinIsTTY: false, stderrIsTTY: true };
const chatWithStderrRedirected = { stdinIsTTY: true, stderrIsTTY: false };

describe("chooseLogOutput", () => {
  it("keeps the interactive chat's screen for people: JSON to data/troupe.log, info and up", () => {
    expect(chooseLogOutput(base, interactive)).toEqual({
      level: "info",
      file: "data/troupe.log",
      noticesOnScreen: true,
    });
  });

  it("logs JSON on standard error when it is not a terminal, as services and scripts expect", () => {
    expect(chooseLogOutput(base, service)).toEqual({ level: "info", stderr: "json", noticesOnScreen: false });
    expect(chooseLogOutput(base, chatWithStderrRedirected)).toEqual({
      level: "info",
      stderr: "json",
      noticesOnScreen: false,
    });
  });

  it("shows readable lines when standard error is a terminal the chat does not own", () => {
    // `echo hi | npm start` in a terminal: answers on stdout, warnings readable on the same screen.
    expect(chooseLogOutput(base, pipedInTerminal)).toEqual({
      level: "warn",
      stderr: "pretty",
      noticesOnScreen: false,
    });
    // A platform bot started in a terminal: no chat to keep clear, so info lines are shown.
    expect(chooseLogOutput({ ...base, DISCORD_TOKEN: "token" }, interactive)).toEqual({
      level: "info",
      stderr: "pretty",
      noticesOnScreen: false,
    });
  });

  it("LOG_FORMAT overrides the choice", () => {
    expect(chooseLogOutput({ ...base, LOG_FORMAT: "pretty" }, interactive)).toEqual({
      level: "warn",
      stderr: "pretty",
      noticesOnScreen: true,
    });
    expect(chooseLogOutput({ ...base, LOG_FORMAT: "json" }, interactive)).toMatchObject({ stderr: "json" });
    expect(chooseLogOutput({ ...base, LOG_FORMAT: "pretty" }, service)).toMatchObject({ stderr: "pretty" });
    expect(chooseLogOutput({ ...base, LOG_FORMAT: "json" }, pipedInTerminal)).toMatchObject({
      stderr: "json",
    });
  });

  it("LOG_FILE picks the file anywhere; '-' (or empty) means standard error", () => {
    expect(chooseLogOutput({ ...base, LOG_FILE: "/var/log/troupe.log" }, service)).toEqual({
      level: "info",
      file: "/var/log/troupe.log",
      noticesOnScreen: false,
    });
    expect(chooseLogOutput({ ...base, LOG_FILE: "-" }, interactive)).toEqual({
      level: "warn",
      stderr: "pretty",
      noticesOnScreen: true,
    });
    expect(chooseLogOutput({ ...base, LOG_FILE: "-" }, service)).toMatchObject({ stderr: "json" });
    // Both asked for: the file keeps JSON, and readable lines show on standard error too.
    expect(
      chooseLogOutput({ ...base, LOG_FILE: "/tmp/t.log", LOG_FORMAT: "pretty" }, interactive),
    ).toMatchObject({ file: "/tmp/t.log", stderr: "pretty" });
    expect(
      chooseLogOutput({ ...base, LOG_FILE: "/tmp/t.log", LOG_FORMAT: "json" }, interactive),
    ).not.toHaveProperty("stderr");
  });

  it("LOG_LEVEL wins, and silent opens and names no file at all", () => {
    expect(chooseLogOutput({ ...base, LOG_LEVEL: "debug" }, interactive)).toMatchObject({
      level: "debug",
      file: "data/troupe.log",
    });
    expect(chooseLogOutput({ ...base, LOG_LEVEL: "error" }, pipedInTerminal).level).toBe("error");
    for (const terminal of [interactive, service, pipedInTerminal]) {
      const output = chooseLogOutput({ ...base, LOG_LEVEL: "silent", LOG_FILE: "/tmp/t.log" }, terminal);
      expect(output.level).toBe("silent");
      expect(output.file).toBeUndefined();
    }
  });
});

describe("defaultLogFile", () => {
  it("is troupe.log beside the SQLite store, or in ./data for the other stores", () => {
    expect(defaultLogFile("sqlite://./data/troupe.sqlite")).toBe("data/troupe.log");
    expect(defaultLogFile("sqlite:///var/lib/troupe/db.sqlite")).toBe("/var/lib/troupe/troupe.log");
    expect(defaultLogFile("sqlite://state.sqlite")).toBe("troupe.log");
    expect(defaultLogFile("memory://")).toBe("data/troupe.log");
    expect(defaultLogFile("redis://127.0.0.1:6379")).toBe("data/troupe.log");
  });
});
