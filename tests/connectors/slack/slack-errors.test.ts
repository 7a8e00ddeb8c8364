/**
 * Failures, end to end: model faults, Slack refusing a channel, rate limits, a dropped Socket Mode
 * connection, and start-up with bad tokens. The bot never crashes and says clearly what is wrong.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { PlatformFatalError } from "../../../src/connectors/connector.js";
import { PlatformUnreachableError } from "../../../src/connectors/shared/start-errors.js";
import { createSlackConnector } from "../../../src/connectors/slack/slack-connector.js";
import type { Bot } from "../../../src/core/bot.js";
import { silentLogger } from "../../../src/lib/logger.js";
import { type FakeSlack, startFakeSlack } from "../../fakes/fake-slack/fake-slack.js";
import { ADA, type Harness, startHarness } from "./slack-harness.js";

const CHANNEL = "CGENERAL1";
const BOT = "<@UBOT00001>";
let harness: Harness | undefined;
let fake: FakeSlack | undefined;

afterEach(async () => {
  await harness?.stop();
  await fake?.close();
  harness = undefined;
  fake = undefined;
});

function mention(h: Harness, text: string, channel = CHANNEL): string {
  const ts = h.fake.nextTs();
  h.send({ type: "app_mention", channel, user: ADA, text: `${BOT} ${text}`, ts });
  return ts;
}

describe("slack errors: answers", () => {
  it("a model fault is one short line in the thread, for the asker", async () => {
    harness = await startHarness();
    harness.ollama.enqueue({ status: 500 });
    const ts = mention(harness, "hi");
    const h = harness;
    const line = await h.waitFor(() => h.fake.calls("chat.postEphemeral")[0], "the error line");
    await h.connector.settled();
    expect(line.args).toMatchObject({ channel: CHANNEL, thread_ts: ts, user: ADA });
    expect(String(line.args.text)).toMatch(/^⚠️ .{10,120}$/);
    expect(h.fake.calls("chat.postMessage")).toHaveLength(0);
  });

  it("survives not_in_channel with a clear log line, and answers the next event", async () => {
    harness = await startHarness();
    harness.fake.refuseChannel("CLOCKED01", "not_in_channel");
    mention(harness, "hello?", "CLOCKED01");
    const h = harness;
    const refused = await h.waitFor(
      () =>
        h.logger.lines.find(
          (line) => line.fields.method === "chat.postMessage" && line.fields.code === "not_in_channel",
        ),
      "the refusal to be logged",
    );
    expect(refused).toMatchObject({ level: "warn", fields: { channel: "CLOCKED01" } });
    expect(String(refused.fields.hint)).toContain("/invite");
    const ts = mention(h, "and here?");
    expect((await h.answerIn(CHANNEL, ts))[0]?.text).toBe("echo: Ada: and here?");
  });

  it("survives channel_not_found too", async () => {
    harness = await startHarness();
    harness.fake.refuseChannel("CGONE0001", "channel_not_found");
    mention(harness, "anyone?", "CGONE0001");
    const h = harness;
    await h.waitFor(
      () => h.logger.lines.some((line) => line.message === "could not deliver the answer to the platform"),
      "core to log the undelivered answer",
    );
    await h.connector.settled();
    expect(h.fake.botMessages("CGONE0001")).toHaveLength(0);
  });

  it("waits Retry-After when Slack says ratelimited, then delivers once", async () => {
    harness = await startHarness();
    harness.fake.rateLimitNext("chat.postMessage", 1);
    const ts = mention(harness, "hi");
    const [answer, ...more] = await harness.answerIn(CHANNEL, ts);
    expect(more).toEqual([]);
    expect(answer?.text).toBe("echo: Ada: hi");
    const [limited, retried] = harness.fake.calls("chat.postMessage");
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(
      harness.logger.lines.some(
        (line) => line.message === "Slack rate limit: waiting" && line.fields.retryAfterSeconds === 1,
      ),
    ).toBe(true);
  });
});

describe("slack errors: Socket Mode", () => {
  it("reconnects after the connection drops and answers the next event", async () => {
    harness = await startHarness();
    const h = harness;
    const first = mention(h, "before");
    await h.answerIn(CHANNEL, first);
    h.fake.socket.dropConnections();
    await h.fake.socket.until(
      () => h.fake.socket.connectionsOpened === 2 && h.fake.socket.openConnections === 1,
      15_000,
      "a reconnect",
    );
    expect(h.fake.calls("apps.connections.open")).toHaveLength(2);
    const second = mention(h, "after");
    expect((await h.answerIn(CHANNEL, second))[0]?.text).toBe("echo: Ada: after");
  });

  it("reconnects when Slack asks it to (a disconnect message)", async () => {
    harness = await startHarness();
    const h = harness;
    h.fake.socket.askToReconnect();
    await h.fake.socket.until(
      () => h.fake.socket.connectionsOpened === 2 && h.fake.socket.openConnections === 1,
      15_000,
      "a reconnect",
    );
    const ts = mention(h, "still there?");
    expect((await h.answerIn(CHANNEL, ts))[0]?.text).toBe("echo: Ada: still there?");
  });
});

describe("slack errors: refused for good while running", () => {
  it("reports an app-level token revoked meanwhile, seen when Socket Mode reconnects, to onFatal", async () => {
    const reported: PlatformFatalError[] = [];
    harness = await startHarness({ onFatal: (error) => reported.push(error) });
    const h = harness;
    // Someone revokes the app-level token; Slack then recycles the connection.
    h.fake.identity.appToken = "xapp-revoked";
    h.fake.socket.askToReconnect();
    await h.waitFor(() => reported.length > 0, "the refusal reported", 15_000);
    expect(reported).toHaveLength(1);
    expect(reported[0]?.variable).toBe("SLACK_APP_TOKEN");
    expect(reported[0]?.message).toBe(
      "Slack refused the app-level token while reconnecting Socket Mode (invalid_auth)",
    );
    expect(reported[0]?.fix).toContain("App-Level Tokens");
    expect(
      h.logger.lines.find((line) => line.message === "Slack refused the Socket Mode connection for good"),
    ).toMatchObject({ level: "error", fields: { connector: "slack" } });
  });
});

describe("slack errors: start-up", () => {
  async function start(overrides: {
    botToken?: string;
    appToken?: string;
    signingSecret?: string;
    apiUrl?: string;
  }) {
    fake = await startFakeSlack();
    const connector = createSlackConnector({
      // Start-up fails before the bot is used: only its command list is read.
      bot: { commands: [] } as unknown as Bot,
      logger: silentLogger,
      botToken: overrides.botToken ?? fake.identity.botToken,
      appToken: overrides.appToken,
      signingSecret: overrides.signingSecret,
      apiUrl: overrides.apiUrl ?? fake.apiUrl,
      port: 0,
      host: "127.0.0.1",
      adminUsers: [],
      nativeStreaming: false,
      updateIntervalMs: 200,
    });
    try {
      await connector.start();
    } finally {
      await connector.stop();
    }
  }

  it("names SLACK_BOT_TOKEN when Slack rejects it", async () => {
    await expect(start({ botToken: "xoxb-wrong" })).rejects.toThrow(
      /Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)/,
    );
  });

  it("names SLACK_APP_TOKEN when Socket Mode cannot connect with it", async () => {
    await expect(start({ appToken: "xapp-wrong" })).rejects.toThrow(
      /Slack rejected SLACK_APP_TOKEN \(invalid_auth\)/,
    );
  });

  it("says which variables are missing without an app token or a signing secret", async () => {
    await expect(start({})).rejects.toThrow(/SLACK_APP_TOKEN .* or SLACK_SIGNING_SECRET/);
  });

  it("says when Slack cannot be reached, without blaming the token", async () => {
    const failure = await start({ apiUrl: "http://127.0.0.1:9/api/" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PlatformUnreachableError);
    expect((failure as Error).message).toMatch(/^could not reach Slack at http:\/\/127\.0\.0\.1:9\/api\/ \(/);
    expect((failure as Error).message).not.toContain("TOKEN");
  });
});
