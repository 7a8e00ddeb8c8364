/**
 * The real Discord and Slack connectors at start-up, against the loopback fakes: a platform that
 * cannot be reached (a closed port, an outage in front of the fake) is tried again and said to be
 * out of reach, never blamed on the token; a refused token (Discord's 401 and gateway close 4004,
 * Slack's invalid_auth for either token) fails at once, naming the variable. Waits are injected.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { PlatformConnector } from "../../src/app/platform-connectors.js";
import { startPlatforms } from "../../src/app/start-platforms.js";
import type { Connector } from "../../src/connectors/connector.js";
import { createDiscordConnector } from "../../src/connectors/discord/discord-connector.js";
import { createSlackConnector } from "../../src/connectors/slack/slack-connector.js";
import type { Bot } from "../../src/core/bot.js";
import { startFakeDiscord } from "../fakes/fake-discord/fake-discord.js";
import { startFakeSlack } from "../fakes/fake-slack/fake-slack.js";
import { startLoopbackServer } from "../fakes/loopback-server.js";
import { startOutageProxy } from "../fakes/outage-proxy.js";
import { createRecordingLogger, type RecordingLogger } from "../helpers/recording-logger.js";
import { closedPort } from "../model/collect.js";

// Start-up fails before the bot is used: only its command list is read.
const bot = { commands: [] } as unknown as Bot;
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function discord(logger: RecordingLogger, token: string, apiUrl: string): PlatformConnector {
  const connector = createDiscordConnector({
    bot,
    logger,
    token,
    apiUrl,
    registerCommands: false,
    autoThread: false,
    personaWebhooks: false,
  });
  cleanups.push(() => connector.stop());
  return { connector, variable: "DISCORD_TOKEN", fix: "copy the bot token" };
}

function slack(
  logger: RecordingLogger,
  tokens: { botToken: string; appToken: string },
  apiUrl: string,
): PlatformConnector {
  const connector = createSlackConnector({
    bot,
    logger,
    ...tokens,
    apiUrl,
    port: 0,
    host: "127.0.0.1",
    adminUsers: [],
    nativeStreaming: false,
    updateIntervalMs: 200,
  });
  cleanups.push(() => connector.stop());
  return { connector, variable: "SLACK_BOT_TOKEN", fix: "copy the Bot User OAuth Token" };
}

/** Runs start-up with waits that return at once; `onWait` runs at each (to end an outage, say). */
async function start(platform: PlatformConnector, logger: RecordingLogger, onWait?: (count: number) => void) {
  const waits: number[] = [];
  const outcome = await startPlatforms([platform], {
    logger,
    track: () => {},
    retry: {
      totalMs: 3_000,
      sleep: async (ms) => {
        waits.push(ms);
        onWait?.(waits.length);
      },
    },
  }).then(
    (started: Connector[]) => ({ started, error: undefined }),
    (error: unknown) => ({ started: [], error: error as Error }),
  );
  const retries = logger.lines.filter((line) => line.message.endsWith("trying again"));
  return { ...outcome, waits, retries };
}

async function closedUrl(path: string): Promise<string> {
  const port = await closedPort(() => startLoopbackServer(() => {}));
  return `http://127.0.0.1:${port}${path}`;
}

describe("Discord at start-up", () => {
  it("out of reach: tried again, then 'could not reach', naming no token", async () => {
    const logger = createRecordingLogger();
    const apiUrl = await closedUrl("/api");
    const run = await start(discord(logger, "fake-bot-token", apiUrl), logger);
    expect(run.waits).toEqual([1_000, 2_000]);
    expect(run.error?.message).toMatch(
      new RegExp(
        `^could not reach Discord at ${apiUrl} \\(connect ECONNREFUSED [^)]+\\); tried 3 times over 3 s\\.\\n`,
      ),
    );
    expect(run.error?.message).toContain("DISCORD_API_URL");
    expect(run.error?.message).not.toContain("DISCORD_TOKEN");
    expect(run.retries.map((line) => [line.level, line.fields.attempt])).toEqual([
      ["warn", 1],
      ["warn", 2],
    ]);
  });

  it("an outage (503) that ends: retried until Discord answers, then connected", async () => {
    const fake = await startFakeDiscord();
    cleanups.push(() => fake.close());
    const proxy = await startOutageProxy({ target: new URL(fake.apiUrl).origin, outage: "503" });
    cleanups.push(() => proxy.close());
    const logger = createRecordingLogger();
    const run = await start(discord(logger, fake.token, `${proxy.origin}/api`), logger, (count) => {
      if (count === 2) proxy.heal();
    });
    expect(run.error).toBeUndefined();
    expect(run.started.map((connector) => connector.name)).toEqual(["discord"]);
    expect(run.waits).toEqual([1_000, 2_000]);
    expect(proxy.refused).toBeGreaterThanOrEqual(2);
    expect(run.retries[0]?.fields.reason).toBe("HTTP 503 Service Unavailable");
    expect(fake.gateway.connectedShards()).toEqual([0]);
  });

  it("a token refused by REST (401) fails at once, naming DISCORD_TOKEN and the fix", async () => {
    const fake = await startFakeDiscord();
    cleanups.push(() => fake.close());
    const logger = createRecordingLogger();
    const run = await start(discord(logger, "not.the.token", fake.apiUrl), logger);
    expect(run.waits).toEqual([]);
    expect(run.error?.message).toBe(
      "Discord refused DISCORD_TOKEN (HTTP 401: An invalid token was provided).\nFix: copy the bot token.",
    );
  });

  it("a token refused by the gateway (close 4004) fails at once, naming DISCORD_TOKEN", async () => {
    const fake = await startFakeDiscord();
    cleanups.push(() => fake.close());
    // REST gets the right token through the proxy; the gateway (reached directly) gets the wrong one.
    const proxy = await startOutageProxy({
      target: new URL(fake.apiUrl).origin,
      outage: "503",
      healthy: true,
      headers: { authorization: `Bot ${fake.token}` },
    });
    cleanups.push(() => proxy.close());
    const logger = createRecordingLogger();
    const run = await start(discord(logger, "not.the.token", `${proxy.origin}/api`), logger);
    expect(run.waits).toEqual([]);
    expect(run.error?.message).toBe(
      "Discord refused DISCORD_TOKEN (gateway close 4004: Authentication failed).\nFix: copy the bot token.",
    );
  });
});

describe("Slack at start-up", () => {
  it("out of reach: tried again, then 'could not reach', naming no token", async () => {
    const logger = createRecordingLogger();
    const apiUrl = await closedUrl("/api/");
    const run = await start(slack(logger, { botToken: "xoxb-1", appToken: "xapp-1" }, apiUrl), logger);
    expect(run.waits).toEqual([1_000, 2_000]);
    expect(run.error?.message).toMatch(
      new RegExp(
        `^could not reach Slack at ${apiUrl} \\(connect ECONNREFUSED [^)]+\\); tried 3 times over 3 s\\.\\n`,
      ),
    );
    expect(run.error?.message).toContain("SLACK_API_URL");
    expect(run.error?.message).not.toMatch(/SLACK_BOT_TOKEN|SLACK_APP_TOKEN/);
  });

  it("an outage (connections cut) that ends: retried until Slack answers, then connected", async () => {
    const fake = await startFakeSlack();
    cleanups.push(() => fake.close());
    const proxy = await startOutageProxy({ target: `http://127.0.0.1:${fake.port}`, outage: "cut" });
    cleanups.push(() => proxy.close());
    const logger = createRecordingLogger();
    const platform = slack(logger, fake.identity, `${proxy.origin}/api/`);
    const run = await start(platform, logger, (count) => {
      if (count === 1) proxy.heal();
    });
    expect(run.error).toBeUndefined();
    expect(run.waits).toEqual([1_000]);
    expect(run.retries).toHaveLength(1);
    expect(fake.calls("auth.test").length).toBeGreaterThanOrEqual(1);
    expect(fake.calls("apps.connections.open").length).toBeGreaterThanOrEqual(1);
  });

  it("a bot token Slack rejects fails at once, naming SLACK_BOT_TOKEN and the fix", async () => {
    const fake = await startFakeSlack();
    cleanups.push(() => fake.close());
    const logger = createRecordingLogger();
    const run = await start(
      slack(logger, { botToken: "xoxb-wrong", appToken: fake.identity.appToken }, fake.apiUrl),
      logger,
    );
    expect(run.waits).toEqual([]);
    expect(run.error?.message).toBe(
      "Slack rejected SLACK_BOT_TOKEN (invalid_auth): the token is wrong or revoked, or the app is not " +
        "installed to the workspace.\nFix: copy the Bot User OAuth Token.",
    );
  });

  it("an app token Slack rejects fails at once, naming SLACK_APP_TOKEN", async () => {
    const fake = await startFakeSlack();
    cleanups.push(() => fake.close());
    const logger = createRecordingLogger();
    const run = await start(
      slack(logger, { botToken: fake.identity.botToken, appToken: "xapp-wrong" }, fake.apiUrl),
      logger,
    );
    expect(run.waits).toEqual([]);
    expect(run.error?.message).toMatch(/^Slack rejected SLACK_APP_TOKEN \(invalid_auth\)\. /);
    expect(run.error?.message).not.toContain("SLACK_BOT_TOKEN");
  });
});
