/**
 * Pacing by what Discord reports, end to end: the real discord.js REST client against the fake
 * Discord, which answers every write with its X-RateLimit-* headers and refuses (429, counted) any
 * write over its limit. The sink is driven directly with many concurrent streams (independent of how
 * core orders answers), and through the whole bot for a busy channel and a quiet one.
 */
import { setTimeout as delay } from "node:timers/promises";
import { RESTEvents } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { createDiscordRest } from "../../../src/connectors/discord/discord-client.js";
import { createMessageSink } from "../../../src/connectors/discord/discord-message-sink.js";
import type { Pacing } from "../../../src/connectors/discord/discord-pacing.js";
import { createGlobalLane } from "../../../src/connectors/discord/discord-pacing-lane.js";
import { watchRateLimits } from "../../../src/connectors/discord/discord-rate-limit-headers.js";
import { createWriteScheduler } from "../../../src/connectors/discord/discord-write-scheduler.js";
import {
  type FakeDiscord,
  type FakeDiscordOptions,
  startFakeDiscord,
} from "../../fakes/fake-discord/fake-discord.js";
import { splitIntoChunks } from "../../fakes/llm-fake-reply.js";
import { maxInAnyWindow } from "../../helpers/max-in-window.js";
import { createRecordingLogger } from "../../helpers/recording-logger.js";
import { botMessages, eventually, harnessPerTest, mention } from "./harness.js";

const persona = { name: "tutor", displayName: "Tutor", emoji: "🎓" };
const header = "**🎓 Tutor**\n";

interface PacedSink {
  discord: FakeDiscord;
  /** Times discord.js itself had to wait for a bucket (troupe should always have waited first). */
  discordJsWaits: number;
  /** Streams `answers` at once into the fake's #general, each as `chunks` parts `gapMs` apart. */
  streamAll(answers: string[], options: { chunks: number; gapMs: number }): Promise<void>;
  close(): Promise<void>;
}

let opened: PacedSink | undefined;
afterEach(async () => {
  await opened?.close();
  opened = undefined;
});

/** The connector's pacing (scheduler, global lane, header watch) on a bare discord.js REST client. */
async function pacedSink(fake: FakeDiscordOptions = {}): Promise<PacedSink> {
  const discord = await startFakeDiscord(fake);
  const rest = createDiscordRest({ token: discord.token, apiUrl: discord.apiUrl });
  const pacing: Pacing = { scheduler: createWriteScheduler(), lane: createGlobalLane({ perSecond: 45 }) };
  const unwatch = watchRateLimits(rest, pacing.scheduler);
  const sink: PacedSink = {
    discord,
    discordJsWaits: 0,
    async streamAll(answers, { chunks, gapMs }) {
      const results = await Promise.all(
        answers.map((answer) => {
          const messageSink = createMessageSink({
            rest,
            pacing,
            logger: createRecordingLogger(),
            channelId: discord.ids.general,
            editIntervalMs: 1_500,
          });
          async function* model() {
            for (const part of splitIntoChunks(answer, chunks)) {
              await delay(gapMs);
              yield part;
            }
          }
          return messageSink.stream(model(), { persona, interruptedNote: "(interrupted)" });
        }),
      );
      for (const result of results) expect(result.deliveryError).toBeUndefined();
    },
    async close() {
      unwatch();
      await discord.close();
    },
  };
  rest.on(RESTEvents.RateLimited, () => {
    sink.discordJsWaits++;
  });
  opened = sink;
  return sink;
}

/** What the bot shows in #general now. */
function shownIn(discord: FakeDiscord): string[] {
  return discord
    .messagesIn(discord.ids.general)
    .filter((message) => message.authorId === discord.ids.bot)
    .map((message) => message.content);
}

/** Accepted writes per message, by message id. */
function writesPerMessage(discord: FakeDiscord): Map<string, number> {
  const counts = new Map<string, number>();
  for (const write of discord.writes) {
    if (write.status !== 200 || write.messageId === undefined) continue;
    counts.set(write.messageId, (counts.get(write.messageId) ?? 0) + 1);
  }
  return counts;
}

const answersOf = (count: number, words: number) =>
  Array.from({ length: count }, (_, index) => `Answer ${index}: ${"some words ".repeat(words)}`);

describe("discord pacing by the reported limits", () => {
  it("streams 20 answers at once into one channel: about one write each, every one whole, no 429", async () => {
    const sink = await pacedSink();
    const answers = answersOf(20, 10);
    // Each model streams for about 2 s, all at the same time.
    await sink.streamAll(answers, { chunks: 10, gapMs: 200 });
    const { discord } = sink;
    expect(shownIn(discord).sort()).toEqual(answers.map((answer) => `${header}${answer}`).sort());
    expect(discord.tooManyRequests()).toBe(0);
    expect(sink.discordJsWaits).toBe(0);
    // Twenty open answers never leave room to grow one: each model finished before its first write,
    // and each answer took exactly that one write.
    expect([...writesPerMessage(discord).values()]).toEqual(Array(20).fill(1));
  }, 60_000);

  it("uses more than Discord's default when the channel reports 8 per 5 s, without a 429", async () => {
    const sink = await pacedSink({ rateLimit: { limit: 8, windowMs: 5_000 } });
    const answers = answersOf(12, 4);
    await sink.streamAll(answers, { chunks: 2, gapMs: 50 });
    const { discord } = sink;
    const times = discord.limiter.times(`channel:${discord.ids.general}`);
    expect(times).toHaveLength(12);
    expect(maxInAnyWindow(times, 5_000)).toBeGreaterThan(5);
    expect(maxInAnyWindow(times, 5_000)).toBeLessThanOrEqual(8);
    expect(discord.tooManyRequests()).toBe(0);
    expect(sink.discordJsWaits).toBe(0);
  }, 60_000);

  it("keeps to a stricter reported limit (3 per 2 s) with no 429 and without discord.js waiting", async () => {
    const sink = await pacedSink({ rateLimit: { limit: 3, windowMs: 2_000 } });
    const answers = answersOf(8, 4);
    await sink.streamAll(answers, { chunks: 4, gapMs: 100 });
    const { discord } = sink;
    expect(shownIn(discord).sort()).toEqual(answers.map((answer) => `${header}${answer}`).sort());
    expect(
      maxInAnyWindow(discord.limiter.times(`channel:${discord.ids.general}`), 2_000),
    ).toBeLessThanOrEqual(3);
    expect(discord.tooManyRequests()).toBe(0);
    expect(sink.discordJsWaits).toBe(0);
  }, 60_000);
});

describe("discord pacing through the bot", () => {
  const start = harnessPerTest();

  it("answers 20 people mentioning it at once in one channel: every answer whole, no 429, no write wasted", async () => {
    const harness = await start();
    const { discord } = harness;
    const authors = Array.from({ length: 20 }, (_, index) => {
      const user = discord.world.addUser(`person${index}`, `Person ${index}`);
      discord.world.guilds.get(discord.ids.guild)?.members.push({ userId: user.id, nick: null, roles: [] });
      return user.id;
    });
    const answers = answersOf(20, 6);
    // Quick models: core may answer one conversation's messages one at a time, and a short answer
    // then takes one write whether or not the others run beside it.
    for (const answer of answers) harness.ollama.enqueue({ chunks: [answer] });
    for (const author of authors)
      discord.say({ author, channel: discord.ids.general, content: `${mention(discord.ids.bot)} hi` });
    expect(await eventually(() => harness.logged("answered") === 20, 90_000)).toBe(true);
    const messages = botMessages(harness, discord.ids.general);
    expect(messages.map((message) => message.content).sort()).toEqual(
      answers.map((answer) => `${header}${answer}`).sort(),
    );
    expect(discord.tooManyRequests()).toBe(0);
    // troupe waited for every bucket itself: discord.js's queue never had to.
    expect(harness.logged("Discord rate limit reached: waiting")).toBe(0);
    // An answer whose first write already held all of it was never written again.
    for (const message of messages) {
      if (message.versions[0]?.content === message.content) expect(message.versions).toHaveLength(1);
    }
  }, 120_000);

  it("still streams a lone answer: first post before the model ends, then growing edits", async () => {
    const harness = await start();
    const { discord } = harness;
    const answer = `Slowly: ${"one word at a time ".repeat(20)}`;
    harness.ollama.enqueue({ chunks: splitIntoChunks(answer, 20), delayMs: 250 });
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} slowly`,
    });
    // The first post is up while the model is still streaming.
    expect(await eventually(() => botMessages(harness, discord.ids.general).length === 1)).toBe(true);
    expect(harness.logged("answered")).toBe(0);
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    const [message] = botMessages(harness, discord.ids.general);
    expect(message?.content).toBe(`${header}${answer}`);
    expect(message?.versions.length ?? 0).toBeGreaterThan(2);
    expect(discord.tooManyRequests()).toBe(0);
  }, 30_000);

  it("makes the final edit when the model ends, not an edit interval later (10 s interval)", async () => {
    const harness = await start({ connector: { editIntervalMs: 10_000 } });
    const { discord } = harness;
    const answer = `Then: ${"more words ".repeat(10)}`;
    harness.ollama.enqueue({ chunks: splitIntoChunks(answer, 5), delayMs: 200 });
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} go`,
    });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    const [message] = botMessages(harness, discord.ids.general);
    expect(message?.content).toBe(`${header}${answer}`);
    // Posted at the first words, completed when the model ended: inside one edit interval of the post.
    const first = message?.versions[0];
    const last = message?.versions.at(-1);
    expect(message?.versions).toHaveLength(2);
    expect((last?.at ?? 0) - (first?.at ?? 0)).toBeLessThan(10_000);
  }, 30_000);
});
