/** Runs troupe exactly as a user would (`npm start`), with piped input, and collects what it printed. */
import { spawn } from "node:child_process";
import { join } from "node:path";

export const repoRoot = join(import.meta.dirname, "..", "..");

export interface TroupeRun {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Only loopback: every URL a test passes points at a fake on 127.0.0.1. */
export function runTroupe(env: Record<string, string>, input: string): Promise<TroupeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["start"], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, stderr, code }));
    child.stdin.end(input);
  });
}
