/**
 * Streaming end to end: answers grow by edits, split past 2000 characters with code fences intact,
 * paced so a channel's write budget is never exceeded (the fake answers 429 as Discord does and
 * counts them), never pinging anyone, and surviving a message deleted mid-stream.
 */
import { describe, expect, it } from "vitest";
import { splitText } from "../../../src/connectors/shared/split-text.js";
import { splitIntoChunks } from "../../fakes/llm-fake-reply.js";
import { maxInAnyWindow } from "../../helpers/max-in-window.js";
import { botMessages, eventually, type Harness, harnessPerTest, mention } from "./harness.js";

const start = harnessPerTest();

/** A short intro, a code block long enough to be cut by the 2000-character split, more prose. */
function longAnswer(): string {
  const code = Array.from(
    { length: 90 },
    (_, index) => `  const value${index} = compute(${index}); // step ${index}`,
  );
  const prose = Array.from(
    { length: 14 },
    (_, index) => `Paragraph ${index}: ${"words that explain the code ".repeat(4)}`,
  );
  return [
    "Here is the whole program:",
    "",
    "```ts",
    "function main() {",
    ...code,
    "}",
    "```",
    "",
    ...prose,
  ].join("\n");
}

function fencesBalanced(text: string): boolean {
  return text.split("\n").filter((line) => /^\s{0,3}```/.test(line)).length % 2 === 0;
}

/** Every bucket and every channel: never more than Discord's 5 writes in any 5 seconds. */
function expectWithinBudget(harness: Harness): void {
  const { discord } = harness;
  expect(discord.tooManyRequests()).toBe(0);
  for (const bucket of discord.limiter.buckets()) {
    expect(maxInAnyWindow(discord.limiter.times(bucket), 5_000)).toBeLessThanOrEqual(5);
  }
  const byChannel = new Map<string, number[]>();
  for (const write of discord.writes.filter((entry) => entry.status === 200 && entry.kind !== "delete")) {
    byChannel.set(write.channelId, [...(byChannel.get(write.channelId) ?? []), write.at]);
  }
  for (const times of byChannel.values()) expect(maxInAnyWindow(times, 5_000)).toBeLessThanOrEqual(5);
}

describe("discord streaming", () => {
  it("splits a long answer at line boundaries, closing and reopening a cut code block, the last edit whole", async () => {
    const harness = await start();
    const { discord } = harness;
    const answer = longAnswer();
    harness.ollama.enqueue({ chunks: splitIntoChunks(answer, 40), delayMs: 10 });
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} write it`,
    });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);

    const messages = botMessages(harness, discord.ids.general);
    const contents = messages.map((message) => message.content);
    expect(contents).toEqual(splitText(`**🎓 Tutor**\n${answer}`, 2000));
    expect(contents.length).toBeGreaterThanOrEqual(3);
    for (const content of contents) {
      expect(content.length).toBeLessThanOrEqual(2000);
      expect(fencesBalanced(content)).toBe(true);
    }
    // The code block was cut: closed at the end of the first message, reopened (with its language) in the next.
    expect(contents[0]?.endsWith("```")).toBe(true);
    expect(contents[1]?.startsWith("```ts\n")).toBe(true);
    // It grew by edits: the first message was posted short and edited longer.
    const first = messages[0]?.versions ?? [];
    expect(first.length).toBeGreaterThan(1);
    expect(first[0]?.content.length ?? 0).toBeLessThan(first.at(-1)?.content.length ?? 0);
    expectWithinBudget(harness);
  });

  it("shows 'typing…' while the model is slow to start, and not for a quick answer", async () => {
    const harness = await start();
    const { discord } = harness;
    harness.ollama.enqueue({ chunks: ["quick"] }, { chunks: ["Well,", " let me think."], delayMs: 1_500 });
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} quick`,
    });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    const typing = `POST /channels/${discord.ids.general}/typing`;
    const paths = () => discord.requests.map((request) => `${request.method} ${request.path}`);
    expect(paths()).not.toContain(typing);
    const before = discord.requests.length;
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} slow`,
    });
    expect(await eventually(() => harness.logged("answered") === 2)).toBe(true);
    const later = paths().slice(before);
    expect(later).toContain(typing);
    expect(later.indexOf(typing)).toBeLessThan(
      later.indexOf(`POST /channels/${discord.ids.general}/messages`),
    );
  });

  it("keeps one channel within its write budget while several conversations answer there", async () => {
    const harness = await start();
    const { discord } = harness;
    for (let index = 0; index < 4; index++) {
      harness.ollama.enqueue({
        chunks: splitIntoChunks(`Answer ${index}: ${"streaming text ".repeat(25)}`, 12),
        delayMs: 20,
      });
    }
    for (const author of [discord.ids.ada, discord.ids.bob, discord.ids.cleo]) {
      discord.say({ author, channel: discord.ids.general, content: `${mention(discord.ids.bot)} go` });
    }
    discord.command({
      user: discord.ids.olive,
      channel: discord.ids.general,
      name: "ask",
      options: [{ name: "prompt", value: "go" }],
    });
    expect(await eventually(() => harness.logged("answered") === 4, 60_000)).toBe(true);
    expectWithinBudget(harness);
    const finals = discord
      .messagesIn(discord.ids.general)
      .filter((message) => message.authorId === discord.ids.bot);
    for (let index = 0; index < 4; index++) {
      expect(
        finals.some((message) =>
          message.content.endsWith(`Answer ${index}: ${"streaming text ".repeat(25)}`),
        ),
      ).toBe(true);
    }
  }, 90_000);

  it("shares a persona webhook's budget between conversations in a channel and its threads", async () => {
    const harness = await start({ connector: { personaWebhooks: true } });
    const { discord } = harness;
    const threads = ["one", "two", "three"].map((name) =>
      discord.createThread({ parent: discord.ids.general, name, owner: discord.ids.bob, botIsMember: true }),
    );
    for (let index = 0; index < 4; index++) {
      harness.ollama.enqueue({
        chunks: splitIntoChunks(`Thread answer ${index}: ${"more words ".repeat(20)}`, 10),
        delayMs: 20,
      });
    }
    for (const thread of threads)
      discord.say({ author: discord.ids.bob, channel: thread, content: "tell me" });
    discord.say({
      author: discord.ids.ada,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} and me`,
    });
    expect(await eventually(() => harness.logged("answered") === 4, 60_000)).toBe(true);
    expectWithinBudget(harness);
    // Four answers at once: each ends whole (answers that finished waiting went out in one write).
    const shown = [...threads, discord.ids.general].flatMap((channel) =>
      botMessages(harness, channel).map((message) => message.content),
    );
    for (let index = 0; index < 4; index++)
      expect(shown).toContain(`Thread answer ${index}: ${"more words ".repeat(20)}`);
    expect(discord.writes.filter((write) => write.via === "webhook").length).toBeGreaterThanOrEqual(4);
    expect(
      new Set(discord.writes.filter((write) => write.via === "webhook").map((write) => write.bucket)).size,
    ).toBe(1);
  }, 90_000);

  it("never pings: @everyone, @here, roles and users in model output stay plain text", async () => {
    const harness = await start();
    const { discord } = harness;
    const loud = `@everyone @here <@&${discord.ids.mods}> <@${discord.ids.ada}> look at this!`;
    // The mentions come in a later chunk, so they first reach Discord in an edit, not a post.
    const answer = `Wait for it. ${loud}`;
    const streamed = { chunks: ["Wait for it. ", loud], delayMs: 1_200 };
    harness.ollama.enqueue(streamed, streamed);
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} shout`,
    });
    const interaction = discord.command({
      user: discord.ids.bob,
      channel: discord.ids.noHooks,
      name: "ask",
      options: [{ name: "prompt", value: "shout" }],
    });
    expect(await eventually(() => harness.logged("answered") === 2)).toBe(true);
    expect(botMessages(harness, discord.ids.general)[0]?.content).toBe(`**🎓 Tutor**\n${answer}`);
    expect(discord.world.messages.get(interaction.originalId ?? "")?.content).toBe(`**🎓 Tutor**\n${answer}`);
    const writes = discord.writes.filter((write) => write.kind !== "delete");
    for (const via of ["bot", "interaction"] as const) {
      expect(
        writes.some(
          (write) => write.via === via && write.kind === "edit" && write.content?.includes("@everyone"),
        ),
      ).toBe(true);
    }
    for (const write of writes) {
      expect(write.allowedMentions?.parse).toEqual([]);
      expect(write.pings).toEqual([]);
    }
  });

  it("continues in a new message when its message is deleted mid-stream, and logs it", async () => {
    const harness = await start();
    const { discord } = harness;
    const answer = `Slowly: ${"one word at a time ".repeat(12)}`;
    harness.ollama.enqueue({ chunks: splitIntoChunks(answer, 6), delayMs: 60 });
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} slowly`,
    });
    expect(await eventually(() => botMessages(harness, discord.ids.general).length === 1)).toBe(true);
    const doomed = botMessages(harness, discord.ids.general)[0];
    discord.deleteMessage(doomed?.id ?? "");
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    const survivors = botMessages(harness, discord.ids.general);
    expect(survivors).toHaveLength(1);
    expect(survivors[0]?.id).not.toBe(doomed?.id);
    expect(survivors[0]?.content).toBe(`**🎓 Tutor**\n${answer}`);
    const warning = harness.logger.lines.find((line) => line.message.startsWith("could not edit an answer"));
    expect(warning?.fields).toMatchObject({ discordCode: 10008, status: 404, method: "PATCH" });
  });
});
