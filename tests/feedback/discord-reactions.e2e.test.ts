/**
 * 👍/👎 on Discord, end to end: the real connector (discord.js on the fake gateway, which sends
 * reactions only to sessions with the reaction intents) and the real bot and store. A rating is kept
 * with the exchange it rates, replaced on a change of mind, withdrawn with the reaction; reactions on
 * other messages and the bot's own are ignored; records never hold the platform id.
 */
import { describe, expect, it } from "vitest";
import { botMessages, eventually, harnessPerTest, mention } from "../connectors/discord/harness.js";
import { eventuallyAsync, exchangesIn, ratingsIn } from "./records.js";

const start = harnessPerTest();

describe("discord reactions rate answers", () => {
  it("stores 👍 with the exchange, replaces it with 👎, withdraws it, ignores other messages and the bot", async () => {
    const harness = await start();
    const { discord, store } = harness;
    const question = discord.say({
      author: discord.ids.ada,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} what is a prime?`,
    });
    expect(await eventuallyAsync(async () => (await exchangesIn(store)).length === 1)).toBe(true);
    const [answer] = botMessages(harness, discord.ids.general);
    if (answer === undefined) throw new Error("no answer");
    const [exchange] = await exchangesIn(store);
    expect(exchange?.messageIds).toEqual([answer.id]);
    expect(exchange?.persona).toBe("tutor");
    expect(exchange?.answer).toBe("echo: Ada: what is a prime?");
    expect(exchange?.messages.at(0)?.role).toBe("system");
    expect(exchange?.messages.at(-1)).toEqual({ role: "user", content: "Ada: what is a prime?" });
    expect(exchange?.speakers).toEqual(["Ada"]);

    discord.react({ user: discord.ids.bob, message: answer.id, emoji: "👍" });
    expect(await eventuallyAsync(async () => (await ratingsIn(store)).length === 1)).toBe(true);
    discord.react({ user: discord.ids.bob, message: answer.id, emoji: "👎🏽" });
    expect(
      await eventuallyAsync(async () => (await ratingsIn(store)).some((rating) => rating.rating === "bad")),
    ).toBe(true);
    const ratings = await ratingsIn(store);
    expect(ratings).toHaveLength(1);
    expect(ratings[0]).toMatchObject({ exchange: exchange?.id, rating: "bad" });

    // Not an answer, the bot's own reaction, another emoji: all ignored.
    discord.react({ user: discord.ids.ada, message: question.id, emoji: "👍" });
    discord.react({ user: discord.ids.bot, message: answer.id, emoji: "👍" });
    discord.react({ user: discord.ids.ada, message: answer.id, emoji: "🎉" });
    // Taking back the 👍 Bob no longer gives leaves his 👎; taking back the 👎 removes it.
    discord.react({ user: discord.ids.bob, message: answer.id, emoji: "👍", removed: true });
    discord.react({ user: discord.ids.ada, message: answer.id, emoji: "👍" });
    expect(await eventuallyAsync(async () => (await ratingsIn(store)).length === 2)).toBe(true);
    discord.react({ user: discord.ids.bob, message: answer.id, emoji: "👎🏽", removed: true });
    expect(await eventuallyAsync(async () => (await ratingsIn(store)).length === 1)).toBe(true);
    expect((await ratingsIn(store)).map((rating) => rating.rating)).toEqual(["good"]);

    const everything = JSON.stringify(await store.listRecords("feedback:"));
    for (const id of [discord.ids.ada, discord.ids.bob]) expect(everything).not.toContain(id);
  });

  it("asks for the reaction intents", async () => {
    const harness = await start();
    expect(await eventually(() => harness.discord.gateway.identifies.length > 0)).toBe(true);
    const { GatewayIntentBits } = await import("discord.js");
    const intents = harness.discord.gateway.identifies[0]?.intents ?? 0;
    expect(intents & GatewayIntentBits.GuildMessageReactions).toBeTruthy();
    expect(intents & GatewayIntentBits.DirectMessageReactions).toBeTruthy();
  });
});
