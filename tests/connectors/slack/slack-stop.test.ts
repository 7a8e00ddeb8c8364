/**
 * Stopping with answers in flight on Slack, as on Discord: an answer still streaming ends with the
 * text so far and the interrupted note (post-and-update and native streaming alike); a first post
 * Slack holds behind a rate limit past the stop's deadline is given up, logged with the
 * conversation, and its question kept in the history.
 */
import { afterEach, describe, expect, it } from "vitest";
import { texts } from "../../../src/core/errors.js";
import { ADA, type Harness, startHarness } from "./slack-harness.js";

const CHANNEL = "CGENERAL1";
const BOT = "<@UBOT00001>";
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

function mention(h: Harness, text: string): string {
  const ts = h.fake.nextTs();
  h.send({ type: "app_mention", channel: CHANNEL, user: ADA, text: `${BOT} ${text}`, ts });
  return ts;
}

const longStory = { chunks: Array.from({ length: 60 }, (_, index) => `word${index} `), delayMs: 100 };

describe("slack: stopping with answers in flight", () => {
  for (const nativeStreaming of [false, true]) {
    it(`ends an answer still streaming with the interrupted note (${nativeStreaming ? "native streaming" : "post-and-update"})`, async () => {
      harness = await startHarness({ nativeStreaming });
      const h = harness;
      h.ollama.enqueue(longStory);
      const ts = mention(h, "tell me a long story");
      await h.waitFor(
        () => h.fake.botMessages(CHANNEL, ts).some((message) => message.text.includes("word1 ")),
        "the first words",
      );
      await h.bot.stop(5_000);
      const [answer, ...more] = h.fake.botMessages(CHANNEL, ts);
      expect(more).toEqual([]);
      expect(answer?.text.endsWith(texts.interruptedNote)).toBe(true);
      expect(answer?.text).not.toContain("word59");
      const line = h.logger.lines.find((entry) => entry.message.startsWith("stopping:"));
      expect(line?.message).toBe(
        "stopping: the answer so far was posted with the interrupted note; the question is kept in the history for after the restart",
      );
      const history = await h.store.getHistory(String(line?.fields.conversation));
      expect(history.map((turn) => [turn.role, turn.content])).toEqual([["user", "tell me a long story"]]);
    });
  }

  it("gives up a first post Slack holds past the deadline: logged, nothing posted, question kept", async () => {
    harness = await startHarness();
    const h = harness;
    h.fake.rateLimitNext("chat.postMessage", 60);
    const ts = mention(h, "what is a prime?");
    await h.waitFor(
      () => h.logger.lines.some((line) => line.message === "Slack rate limit: waiting"),
      "the first post held",
    );
    await h.bot.stop(200);
    const line = h.logger.lines.find((entry) => entry.message.startsWith("stopping:"));
    expect(line).toMatchObject({
      level: "warn",
      message:
        "stopping: the answer could not be posted before exit; the question is kept in the history for after the restart",
      fields: { cutOff: "first-post" },
    });
    expect(String(line?.fields.conversation)).toContain(ts);
    expect(h.fake.botMessages(CHANNEL, ts)).toEqual([]);
    const history = await h.store.getHistory(String(line?.fields.conversation));
    expect(history.map((turn) => [turn.role, turn.content])).toEqual([["user", "what is a prime?"]]);
  });
});
