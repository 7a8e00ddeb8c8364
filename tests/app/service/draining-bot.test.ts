/**
 * The draining bot: once draining it starts no new event (and claims none, so another instance
 * may), waits for the events in flight up to the time given, and says how many still run.
 */
import { describe, expect, it } from "vitest";
import { createDrainingBot } from "../../../src/app/service/draining-bot.js";
import { createBotFixture, message } from "../../core/bot-fixture.js";
import { createRecordingSink } from "../../helpers/recording-sink.js";

describe("the draining bot", () => {
  it("lets an answer in flight finish, then starts nothing new", async () => {
    const fixture = createBotFixture();
    const bot = createDrainingBot(fixture.bot, fixture.logger);
    let release = () => {};
    fixture.model.enqueue({
      deltas: ["A prime ", "has two divisors."],
      gate: new Promise((done) => (release = done)),
    });
    const sink = createRecordingSink();
    const answering = bot.handleMessage(message("what is a prime?"), sink);
    await new Promise((resolve) => setImmediate(resolve));

    const draining = bot.drain(60_000);
    expect(bot.accepting()).toBe(false);
    expect(await bot.claimEvent("discord:message:1")).toBe(false);
    const late = createRecordingSink();
    await bot.handleMessage(message("one more?"), late);
    release();
    expect(await draining).toBe(0);
    await answering;

    expect(fixture.model.requests).toHaveLength(1);
    expect(late.replies).toEqual([]);
    expect(fixture.logger.lines).toContainEqual(
      expect.objectContaining({ message: "stopping: a new event was not started" }),
    );
  });

  it("stops waiting at the time given and says how many answers still run", async () => {
    const fixture = createBotFixture();
    const bot = createDrainingBot(fixture.bot, fixture.logger);
    fixture.model.enqueue({ deltas: ["Once "], gate: new Promise(() => {}) });
    const answering = bot.handleMessage(message("tell me a story"), createRecordingSink());
    await new Promise((resolve) => setImmediate(resolve));
    expect(await bot.drain(20)).toBe(1);
    // The stop then ends it.
    await bot.stop(1_000);
    await answering;
  });
});
