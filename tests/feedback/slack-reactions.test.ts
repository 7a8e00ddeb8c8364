/**
 * 👍/👎 on Slack through the real connector (Bolt over Socket Mode against the fake Slack):
 * `reaction_added` rates the answer it is on (`+1`/`thumbsup`, `-1`/`thumbsdown`, any skin tone),
 * a new one replaces the person's earlier rating, `reaction_removed` withdraws it; a reaction on a
 * message that is not an answer, or by the bot itself, is ignored.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ADA, BOB, type Harness, startHarness } from "../connectors/slack/slack-harness.js";
import { eventCallback } from "../fakes/fake-slack/payloads.js";
import { eventuallyAsync, exchangesIn, ratingsIn } from "./records.js";

const CHANNEL = "CGENERAL1";
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

function react(
  current: Harness,
  input: { user: string; reaction: string; ts: string; removed?: boolean },
): void {
  const event = {
    type: input.removed ? "reaction_removed" : "reaction_added",
    user: input.user,
    reaction: input.reaction,
    item: { type: "message", channel: CHANNEL, ts: input.ts },
    item_user: current.fake.identity.botUserId,
    event_ts: current.fake.nextTs(),
  };
  current.fake.socket.send("events_api", eventCallback(current.fake.identity, event));
}

describe("slack reactions rate answers", () => {
  it("stores a thumbs up with the exchange, replaces it, withdraws it, ignores the rest", async () => {
    harness = await startHarness();
    const { fake, store } = harness;
    const ts = fake.nextTs();
    harness.send({
      type: "app_mention",
      channel: CHANNEL,
      user: ADA,
      text: `<@${fake.identity.botUserId}> hi`,
      ts,
    });
    const [answer] = await harness.answerIn(CHANNEL, ts);
    if (answer === undefined) throw new Error("no answer");
    expect(await eventuallyAsync(async () => (await exchangesIn(store)).length === 1)).toBe(true);
    const [exchange] = await exchangesIn(store);
    expect(exchange?.messageIds).toEqual([`${CHANNEL}:${answer.ts}`]);

    react(harness, { user: BOB, reaction: "+1", ts: answer.ts });
    expect(await eventuallyAsync(async () => (await ratingsIn(store)).length === 1)).toBe(true);
    react(harness, { user: BOB, reaction: "thumbsdown::skin-tone-3", ts: answer.ts });
    expect(await eventuallyAsync(async () => (await ratingsIn(store))[0]?.rating === "bad")).toBe(true);
    expect(await ratingsIn(store)).toHaveLength(1);

    // Not an answer (Ada's question), the bot's own reaction, another emoji: ignored.
    react(harness, { user: ADA, reaction: "+1", ts });
    react(harness, { user: fake.identity.botUserId, reaction: "+1", ts: answer.ts });
    react(harness, { user: ADA, reaction: "tada", ts: answer.ts });
    react(harness, { user: ADA, reaction: "thumbsup", ts: answer.ts });
    expect(await eventuallyAsync(async () => (await ratingsIn(store)).length === 2)).toBe(true);
    react(harness, { user: BOB, reaction: "-1", ts: answer.ts, removed: true });
    expect(await eventuallyAsync(async () => (await ratingsIn(store)).length === 1)).toBe(true);
    await harness.connector.settled();
    expect((await ratingsIn(store)).map((rating) => rating.rating)).toEqual(["good"]);
    const everything = JSON.stringify(await store.listRecords("feedback:"));
    expect(everything).not.toContain(ADA);
    expect(everything).not.toContain(BOB);
  });
});

describe("slack /feedback", () => {
  it("points to reactions in a channel, where a slash command cannot name the thread", async () => {
    harness = await startHarness();
    const current = harness;
    const { responseUrl } = current.command("/feedback", "good");
    const response = await current.waitFor(
      () => current.fake.responses.find((recorded) => recorded.path === new URL(responseUrl).pathname),
      "the /feedback response",
    );
    expect(JSON.stringify(response.body)).toContain("React to my answer with :+1: or :-1: instead.");
  });
});
