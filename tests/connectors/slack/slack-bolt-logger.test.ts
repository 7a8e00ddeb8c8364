/**
 * The SDK log adapter masks secrets in every line it forwards, whatever the level: the one-time
 * Socket Mode ticket (in the real client's debug lines, end to end), Slack tokens, the legacy
 * verification token in payload dumps, and the same inside a logged error.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createSdkLogger } from "../../../src/connectors/slack/slack-bolt-logger.js";
import { maskSecrets } from "../../../src/connectors/slack/slack-secret-mask.js";
import { createRecordingLogger } from "../../helpers/recording-logger.js";
import { ADA, type Harness, startHarness } from "./slack-harness.js";

const URL_WITH_TICKET = "wss://wss-primary.slack.com/link/?ticket=1234abcd-5678-efgh&app_id=A0123";

describe("maskSecrets", () => {
  it.each([
    [URL_WITH_TICKET, "wss://wss-primary.slack.com/link/?ticket=[redacted]&app_id=A0123"],
    ["ws://h/link?app_id=A1&ticket=abc", "ws://h/link?app_id=A1&ticket=[redacted]"],
    ["token xoxb-1234-5678-abcdEFGH rejected", "token xoxb-[redacted] rejected"],
    ["app token xapp-1-A0123-456-deadbeef", "app token xapp-[redacted]"],
    ["user xoxp-1-2 and refresh xoxe-1-abc", "user xoxp-[redacted] and refresh xoxe-[redacted]"],
    ['{"token":"ZZZZZZWSxiZZZ2yIvs3peJ","team_id":"T1"}', '{"token":"[redacted]","team_id":"T1"}'],
    ['{"bot_access_token": "abc"}', '{"bot_access_token": "[redacted]"}'],
    ["nothing secret: xoxo, tickets sold, token bucket", "nothing secret: xoxo, tickets sold, token bucket"],
  ])("%s", (input, expected) => {
    expect(maskSecrets(input)).toBe(expected);
  });
});

describe("the SDK logger", () => {
  it.each(["debug", "info", "warn", "error"] as const)("masks %s lines, objects included", (level) => {
    const logger = createRecordingLogger();
    createSdkLogger(logger)[level]("http request result:", { ok: true, url: URL_WITH_TICKET }, "xoxb-1-2");
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]?.message).toBe(
      'http request result: {"ok":true,"url":"wss://wss-primary.slack.com/link/?ticket=[redacted]&app_id=A0123"} xoxb-[redacted]',
    );
  });

  it("masks a logged error's message and stack, and keeps an error with nothing to mask as it is", () => {
    const logger = createRecordingLogger();
    const sdk = createSdkLogger(logger);
    const leaky = Object.assign(new Error(`connect failed: ${URL_WITH_TICKET}`), { code: "ECONNREFUSED" });
    const plain = new Error("socket hang up");
    sdk.error("failed", leaky);
    sdk.error("failed", plain);
    const [first, second] = logger.lines.map((line) => line.fields.err);
    expect(JSON.stringify(first)).not.toContain("1234abcd");
    expect(first).toMatchObject({
      type: "Error",
      code: "ECONNREFUSED",
      message: expect.stringContaining("ticket=[redacted]"),
    });
    expect(second).toBe(plain);
  });
});

describe("Socket Mode at debug level", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
  });

  it("never logs the connection ticket or a token, though the SDKs log the URL and the payloads", async () => {
    const h = await startHarness();
    harness = h;
    const ts = h.fake.nextTs();
    h.send({ channel: "CGENERAL1", user: ADA, text: "<@UBOT00001> hi", ts });
    await h.answerIn("CGENERAL1", ts);
    // Slack recycles the server: the reconnect asks for (and logs) a second ticket.
    h.fake.socket.askToReconnect();
    await h.waitFor(() => h.fake.socket.connectionsOpened === 2, "the reconnect");
    const logged = JSON.stringify(h.logger.lines);
    expect(h.fake.socket.tickets).toHaveLength(2);
    for (const ticket of h.fake.socket.tickets) expect(logged).not.toContain(ticket);
    expect(logged).not.toContain(h.fake.identity.appToken);
    expect(logged).not.toContain(h.fake.identity.botToken);
    expect(logged).not.toContain("fake-verification-token");
    // The lines are there, masked: the test would pass vacuously otherwise.
    const debug = h.logger.lines.filter((line) => line.level === "debug").map((line) => line.message);
    expect(debug.some((line) => line.includes("ticket=[redacted]"))).toBe(true);
    expect(debug.some((line) => line.includes('"token":"[redacted]"'))).toBe(true);
  });
});
