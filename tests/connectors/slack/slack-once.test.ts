/**
 * Every event handled exactly once, end to end: Slack's retries, the app_mention + message pair,
 * two processes on one store, and the messages never answered at all (bots, edits, itself).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createStore } from "../../../src/store/create-store.js";
import { ADA, type Harness, startHarness } from "./slack-harness.js";

const CHANNEL = "CGENERAL1";
const BOT = "<@UBOT00001>";
let harness: Harness;
const extra: Harness[] = [];

afterEach(async () => {
  await Promise.all([harness, ...extra.splice(0)].map((running) => running?.stop()));
});

describe("slack: exactly once", () => {
  it("answers a retried event once", async () => {
    harness = await startHarness();
    const ts = harness.fake.nextTs();
    const event = { type: "app_mention" as const, channel: CHANNEL, user: ADA, text: `${BOT} hi`, ts };
    const { eventId } = harness.send(event);
    await harness.answerIn(CHANNEL, ts);
    const retry = harness.send(event, { eventId, retryAttempt: 1 });
    await harness.fake.socket.until(
      () => harness.fake.socket.acks.has(retry.envelopeId),
      5_000,
      "the retry's ack",
    );
    await harness.waitFor(
      () =>
        harness.logger.lines.some(
          (line) => line.message.includes("a Slack retry") && line.fields.eventId === eventId,
        ),
      "the retry to be recognised",
    );
    await harness.connector.settled();
    expect(harness.ollama.chatBodies()).toHaveLength(1);
    expect(harness.fake.botMessages(CHANNEL, ts)).toHaveLength(1);
  });

  it("answers a mention that arrives as app_mention and as message once", async () => {
    harness = await startHarness();
    const ts = harness.fake.nextTs();
    harness.send({ type: "app_mention", channel: CHANNEL, user: ADA, text: `${BOT} hi`, ts });
    harness.send({ type: "message", channel: CHANNEL, user: ADA, text: `${BOT} hi`, ts });
    await harness.answerIn(CHANNEL, ts);
    await harness.waitFor(
      () => harness.logger.lines.some((line) => line.message.includes("app_mention + message")),
      "the copy to be recognised",
    );
    await harness.connector.settled();
    expect(harness.ollama.chatBodies()).toHaveLength(1);
    expect(harness.fake.botMessages(CHANNEL)).toHaveLength(1);
  });

  it("answers once across two processes sharing a store", async () => {
    const store = await createStore("memory://", { historyTtlMs: 60_000, maxTurns: 50 });
    harness = await startHarness({ store });
    const other = await startHarness({ store });
    extra.push(other);
    const ts = harness.fake.nextTs();
    const event = { type: "app_mention" as const, channel: CHANNEL, user: ADA, text: `${BOT} hi`, ts };
    const { eventId } = harness.send(event);
    other.send(event, { eventId });
    await harness.waitFor(
      () => harness.fake.botMessages(CHANNEL).length + other.fake.botMessages(CHANNEL).length > 0,
      "an answer in either",
    );
    await harness.waitFor(
      () =>
        [harness, other].some((h) => h.logger.lines.some((line) => line.message.includes("a Slack retry"))),
      "the other to stand down",
    );
    await Promise.all([harness.connector.settled(), other.connector.settled()]);
    expect(harness.ollama.chatBodies().length + other.ollama.chatBodies().length).toBe(1);
    await store.close();
  });

  it("never answers a bot, its own messages, or an edit", async () => {
    harness = await startHarness();
    const { botUserId } = harness.fake.identity;
    harness.send({
      channel: CHANNEL,
      user: "UOTHER",
      text: `${BOT} deployed`,
      ts: harness.fake.nextTs(),
      botId: "BDEPLOY",
      subtype: "bot_message",
    });
    harness.send({
      channel: "DADA00001",
      channelType: "im",
      user: "UOTHER",
      text: "hi",
      ts: harness.fake.nextTs(),
      botId: "BOTHER",
    });
    harness.send({
      channel: "DADA00001",
      channelType: "im",
      user: botUserId,
      text: "echo: hi",
      ts: harness.fake.nextTs(),
    });
    harness.send({
      channel: CHANNEL,
      user: ADA,
      text: `${BOT} hi`,
      ts: harness.fake.nextTs(),
      subtype: "message_changed",
    });
    harness.send({
      channel: "DADA00001",
      channelType: "im",
      user: ADA,
      text: "real question",
      ts: harness.fake.nextTs(),
    });
    await harness.answerIn("DADA00001");
    expect(harness.ollama.chatBodies()).toHaveLength(1);
    expect(harness.ollama.chatBodies()[0]?.messages.at(-1)?.content).toBe("real question");
  });
});
