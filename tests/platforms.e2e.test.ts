/**
 * A deployment as an admin runs it: `npm start` with Discord and Slack tokens (and no terminal:
 * standard input is closed, as under a service manager), against loopback fakes of Discord,
 * Slack and Ollama. Both platforms answer in one process, and SIGTERM stops it cleanly.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeDiscord, startFakeDiscord } from "./fakes/fake-discord/fake-discord.js";
import { type FakeOllama, startFakeOllama } from "./fakes/fake-ollama.js";
import { type FakeSlack, startFakeSlack } from "./fakes/fake-slack/fake-slack.js";
import { eventCallback, messageEvent } from "./fakes/fake-slack/payloads.js";
import { repoRoot, strayErrorLines } from "./helpers/run-troupe.js";

let ollama: FakeOllama;
let discord: FakeDiscord;
let slack: FakeSlack;

beforeAll(async () => {
  [ollama, discord, slack] = await Promise.all([startFakeOllama(), startFakeDiscord(), startFakeSlack()]);
});
afterAll(async () => {
  await Promise.all([ollama.close(), discord.close(), slack.close()]);
});

interface Service {
  child: ChildProcessWithoutNullStreams;
  stderr(): string;
  exited: Promise<number | null>;
}

function startService(env: Record<string, string>): Service {
  const child = spawn("npm", ["start"], {
    cwd: repoRoot,
    detached: true,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
  });
  child.stdin.end();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, stderr: () => stderr, exited };
}

async function eventually(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function platformEnv(): Record<string, string> {
  return {
    OLLAMA_HOST: ollama.host,
    STORE_URL: "memory://",
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    SLACK_BOT_TOKEN: slack.identity.botToken,
    SLACK_APP_TOKEN: slack.identity.appToken,
    SLACK_API_URL: slack.apiUrl,
  };
}

describe("npm start with platform tokens", () => {
  it("runs Discord and Slack side by side, never reads the terminal, and stops on SIGTERM", async () => {
    const service = startService(platformEnv());
    await eventually("ready", () => service.stderr().includes('"msg":"ready"'));
    expect(service.stderr()).toContain('"connectors":["discord","slack"]');

    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `<@${discord.ids.bot}> hello from Discord`,
    });
    await eventually("a Discord answer", () =>
      discord
        .messagesIn(discord.ids.general)
        .some((message) => message.content.includes("echo: bob: hello from Discord")),
    );

    const ts = slack.nextTs();
    const mention = messageEvent({
      type: "app_mention",
      channel: "CGENERAL1",
      user: "UADA00001",
      text: `<@${slack.identity.botUserId}> hello from Slack`,
      ts,
    });
    slack.socket.send("events_api", eventCallback(slack.identity, mention));
    await eventually("a Slack answer in the thread", () =>
      slack.botMessages("CGENERAL1", ts).some((message) => message.text.includes("hello from Slack")),
    );

    // A service manager signals the whole process group (npm and tsx pass the signal on too: troupe
    // takes the repeat as the same request, src/app/shutdown.ts).
    process.kill(-(service.child.pid ?? 0), "SIGTERM");
    // "close" comes once troupe, which shares npm's pipes, has exited.
    await service.exited;
    expect(service.stderr()).toContain('"reason":"SIGTERM","msg":"stopping"');
    expect(service.stderr()).not.toContain('"level":50');
    expect(strayErrorLines(service.stderr())).toEqual([]);
  });

  it("stops at start-up, naming the variable, when Discord refuses the token", async () => {
    const service = startService({ ...platformEnv(), DISCORD_TOKEN: "not.the.token" });
    expect(await service.exited).toBe(1);
    expect(service.stderr()).toContain("DISCORD_TOKEN");
    expect(service.stderr()).toContain("Fix:");
    expect(strayErrorLines(service.stderr())).toEqual([]);
  });
});
