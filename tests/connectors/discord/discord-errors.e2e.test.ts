/**
 * Failures end to end: the model down (one short line in place), Discord refusing a write (missing
 * permission, a thread archived mid-stream), and a stricter rate limit than planned: each is logged
 * with its cause and survived; the next message is answered as usual.
 */
import { describe, expect, it } from "vitest";
import { splitIntoChunks } from "../../fakes/llm-fake-reply.js";
import { botMessages, eventually, type Harness, harnessPerTest, mention } from "./harness.js";

const start = harnessPerTest();

/** After a failure, the bot still answers in #general. */
async function stillAnswers(harness: Harness, answeredBefore: number): Promise<void> {
  const { discord } = harness;
  discord.say({
    author: discord.ids.ada,
    channel: discord.ids.general,
    content: `${mention(discord.ids.bot)} still there?`,
  });
  expect(await eventually(() => harness.logged("answered") === answeredBefore + 1)).toBe(true);
}

describe("discord errors", () => {
  it("answers a model that is down with one short line in place", async () => {
    const harness = await start();
    const { discord } = harness;
    harness.ollama.enqueue({ status: 503 });
    const asked = discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} hi`,
    });
    expect(await eventually(() => botMessages(harness, discord.ids.general).length === 1)).toBe(true);
    const [line] = botMessages(harness, discord.ids.general);
    expect(line?.content).toMatch(/^⚠️ [^\n]+$/);
    expect(line?.replyTo).toBe(asked.id);
    await stillAnswers(harness, 0);
  });

  it("logs and survives a channel where the bot may not write (50013)", async () => {
    const harness = await start();
    const { discord } = harness;
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.readOnly,
      content: `${mention(discord.ids.bot)} hi`,
    });
    expect(await eventually(() => harness.logged("could not deliver the answer to the platform") === 1)).toBe(
      true,
    );
    const refusal = harness.logger.lines.find((line) => line.message === "could not post an answer");
    expect(refusal?.fields).toMatchObject({
      discordCode: 50013,
      status: 403,
      method: "POST",
      route: `/api/v10/channels/${discord.ids.readOnly}/messages`,
    });
    expect(botMessages(harness, discord.ids.readOnly)).toHaveLength(0);
    await stillAnswers(harness, 0);
  });

  it("logs and survives a thread archived and locked mid-stream (50083)", async () => {
    const harness = await start();
    const { discord } = harness;
    const thread = discord.createThread({
      parent: discord.ids.general,
      name: "t",
      owner: discord.ids.bob,
      botIsMember: true,
    });
    harness.ollama.enqueue({ chunks: splitIntoChunks(`Long: ${"words ".repeat(60)}`, 6), delayMs: 40 });
    discord.say({ author: discord.ids.bob, channel: thread, content: "tell me a long story" });
    expect(await eventually(() => botMessages(harness, thread).length === 1)).toBe(true);
    discord.archiveThread(thread, true);
    expect(await eventually(() => harness.logged("could not deliver the answer to the platform") === 1)).toBe(
      true,
    );
    const codes = harness.logger.lines
      .map((line) => line.fields.discordCode)
      .filter((code) => code !== undefined);
    expect(codes).toContain(50083);
    await stillAnswers(harness, 0);
  });

  it("waits out a 429 from a Discord stricter than it reported (a shared limit), and still delivers the whole answer", async () => {
    const harness = await start();
    const { discord } = harness;
    const answer = `Paced: ${"steady words ".repeat(20)}`;
    harness.ollama.enqueue({ chunks: splitIntoChunks(answer, 8), delayMs: 120 });
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} go`,
    });
    // Once the answer is up, Discord shuts the channel for a while (a limit shared beyond this bot).
    expect(await eventually(() => botMessages(harness, discord.ids.general).length === 1)).toBe(true);
    discord.limiter.hold(`channel:${discord.ids.general}`, 2_000);
    expect(await eventually(() => harness.logged("answered") === 1, 30_000)).toBe(true);
    // discord.js waited out the 429s and retried: nothing failed, nothing was lost.
    expect(discord.tooManyRequests()).toBeGreaterThan(0);
    expect(harness.logger.lines.filter((line) => line.level === "error")).toEqual([]);
    expect(botMessages(harness, discord.ids.general)[0]?.content).toBe(`**🎓 Tutor**\n${answer}`);
  }, 60_000);
});
