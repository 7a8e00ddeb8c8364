/**
 * The child-process helpers fail the test that awaits them when the child logged a stray error
 * (what src/app/log-stray-errors.ts writes instead of crashing), and only then.
 */
import { describe, expect, it } from "vitest";
import { runCommand, strayErrorLines } from "./run-troupe.js";

const line = (msg: string) => JSON.stringify({ level: 50, msg, err: { message: "boom" } });

describe("run-troupe: stray errors in the child", () => {
  it("rejects a run whose standard error has an unhandled rejection or an uncaught exception", async () => {
    for (const msg of ["unhandled rejection", "uncaught exception"]) {
      const script = `process.stderr.write(${JSON.stringify(`${line(msg)}\n`)})`;
      await expect(runCommand(process.execPath, ["-e", script])).rejects.toThrow(
        /logged 1 stray error\(s\), a bug to fix/,
      );
    }
  });

  it("resolves a run whose standard error has other errors only", async () => {
    const script = `process.stderr.write(${JSON.stringify(`${line("platform did not start")}\n`)}); process.exit(1)`;
    const run = await runCommand(process.execPath, ["-e", script]);
    expect(run.code).toBe(1);
    expect(strayErrorLines(run.stderr)).toEqual([]);
  });
});
