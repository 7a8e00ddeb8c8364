/**
 * Start-up against a chat platform that is out of reach or refuses the token, as an admin runs it:
 * `npm start` with platform tokens and no terminal, against loopback fakes (a closed port for "out
 * of reach", an outage proxy in front of the fake for "out of reach, then back"). Out of reach:
 * tried again (each retry a warn line), then exit 1 saying it could not reach the platform and never
 * blaming the token. Refused: exit 1 at once, naming the variable. PLATFORM_RETRY_SECONDS=1 keeps
 * the retries short.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeDiscord, startFakeDiscord } from "../fakes/fake-discord/fake-discord.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { type FakeSlack, startFakeSlack } from "../fakes/fake-slack/fake-slack.js";
import { startLoopbackServer } from "../fakes/loopback-server.js";
import { startOutageProxy } from "../fakes/outage-proxy.js";
import { repoRoot, runCommand } from "../helpers/run-troupe.js";
import { closedPort } from "../model/collect.js";

let ollama: FakeOllama;
let discord: FakeDiscord;
let slack: FakeSlack;
let closedApi: string;

beforeAll(async () => {
  [ollama, discord, slack] = await Promise.all([startFakeOllama(), startFakeDiscord(), startFakeSlack()]);
  closedApi = `http://127.0.0.1:${await closedPort(() => startLoopbackServer(() => {}))}/api/`;
});
afterAll(async () => {
  await Promise.all([ollama.close(), discord.close(), slack.close()]);
});

function baseEnv(extra: Record<string, string>): Record<string, string> {
  return { OLLAMA_HOST: ollama.host, STORE_URL: "memory://", PLATFORM_RETRY_SECONDS: "1", ...extra };
}

function npmStart(env: Record<string, string>) {
  return runCommand("npm", ["start"], { env: baseEnv(env) });
}

/** Log lines with this message (standard error holds the JSON log and the final line). */
function logged(stderr: string, message: string): Array<Record<string, unknown>> {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{") && line.includes(`"msg":"${message}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("npm start with a platform out of reach", () => {
  it("Slack: tries again, then exits 1 saying it could not reach Slack, naming no token", async () => {
    const run = await npmStart({
      SLACK_BOT_TOKEN: slack.identity.botToken,
      SLACK_APP_TOKEN: slack.identity.appToken,
      SLACK_API_URL: closedApi,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `troupe: could not reach Slack at ${closedApi} \\(connect ECONNREFUSED [^)]+\\); tried 2 times over 1 s\\.\\n` +
          "Fix: check the network connection \\(and SLACK_API_URL, if you set it\\), then start troupe again\\.",
      ),
    );
    expect(logged(run.stderr, "could not reach Slack: trying again")).toEqual([
      expect.objectContaining({ level: 40, connector: "slack", attempt: 1, delayMs: 1_000, url: closedApi }),
    ]);
    expect(run.stderr).not.toMatch(/SLACK_BOT_TOKEN|SLACK_APP_TOKEN/);
  });

  it("Discord: tries again, then exits 1 saying it could not reach Discord, naming no token", async () => {
    const apiUrl = closedApi.replace(/\/$/, "");
    const run = await npmStart({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: apiUrl });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `troupe: could not reach Discord at ${apiUrl} \\(connect ECONNREFUSED [^)]+\\); tried 2 times`,
      ),
    );
    expect(logged(run.stderr, "could not reach Discord: trying again")).toHaveLength(1);
    expect(run.stderr).not.toContain("DISCORD_TOKEN");
  });

  it("Discord after an outage: tries again and connects once Discord answers", async () => {
    const proxy = await startOutageProxy({ target: new URL(discord.apiUrl).origin, outage: "503" });
    const child = spawn("npm", ["start"], {
      cwd: repoRoot,
      detached: true,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        ...baseEnv({
          DISCORD_TOKEN: discord.token,
          DISCORD_API_URL: `${proxy.origin}/api`,
          PLATFORM_RETRY_SECONDS: "60",
        }),
      },
    });
    child.stdin.end();
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const ready = new Promise<void>((resolve) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
        // The first retry is logged before its one-second wait: the outage ends within that wait.
        if (stderr.includes('"msg":"could not reach Discord: trying again"')) proxy.heal();
        if (stderr.includes('"msg":"ready"')) resolve();
      });
    });
    try {
      await Promise.race([ready, exited.then(() => Promise.reject(new Error(`troupe exited:\n${stderr}`)))]);
      expect(logged(stderr, "could not reach Discord: trying again")).toEqual([
        expect.objectContaining({ attempt: 1, reason: "HTTP 503 Service Unavailable" }),
      ]);
      expect(logged(stderr, "connected to Discord")).toHaveLength(1);
      expect(proxy.refused).toBeGreaterThan(0);
    } finally {
      process.kill(-(child.pid ?? 0), "SIGTERM");
      await exited;
      await proxy.close();
    }
  });
});

describe("npm start with a refused token", () => {
  it("Slack: exits 1 at once naming SLACK_BOT_TOKEN and the fix, without trying again", async () => {
    const run = await npmStart({
      SLACK_BOT_TOKEN: "xoxb-not-the-token",
      SLACK_APP_TOKEN: slack.identity.appToken,
      SLACK_API_URL: slack.apiUrl,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("troupe: Slack rejected SLACK_BOT_TOKEN (invalid_auth)");
    expect(run.stderr).toContain("Fix: copy the Bot User OAuth Token (xoxb-…)");
    expect(run.stderr).not.toContain("trying again");
    expect(run.stderr).not.toContain("could not reach");
  });

  it("Discord: exits 1 at once naming DISCORD_TOKEN and the fix, without trying again", async () => {
    const run = await npmStart({ DISCORD_TOKEN: "not.the.token", DISCORD_API_URL: discord.apiUrl });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "troupe: Discord refused DISCORD_TOKEN (HTTP 401: An invalid token was provided).\n" +
        "Fix: copy the bot token from the Discord developer portal",
    );
    expect(run.stderr).not.toContain("trying again");
  });
});
