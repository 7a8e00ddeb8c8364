/**
 * The gateway end to end: the intents the bot asks for, heartbeats, resuming after a dropped
 * connection (events sent meanwhile are replayed and answered), sharding, and running without the
 * privileged Message Content intent.
 */
import { GatewayIntentBits } from "discord.js";
import { describe, expect, it } from "vitest";
import { botMessages, eventually, type Harness, harnessPerTest, mention } from "./harness.js";

const start = harnessPerTest();

const BASE =
  GatewayIntentBits.Guilds |
  GatewayIntentBits.GuildMessages |
  GatewayIntentBits.DirectMessages |
  GatewayIntentBits.GuildMessageReactions |
  GatewayIntentBits.DirectMessageReactions;

describe("discord gateway", () => {
  it("identifies with only the intents it needs, and heartbeats", async () => {
    const harness = await start();
    expect(harness.discord.gateway.identifies).toEqual([
      { shard: [0, 1], intents: BASE | GatewayIntentBits.MessageContent },
    ]);
    expect(await eventually(() => harness.discord.gateway.heartbeats >= 1)).toBe(true);
  });

  it.each([
    ["closed by Discord (4000)", (harness: Harness) => harness.discord.gateway.closeAll(4000)],
    ["dropped without a close frame", (harness: Harness) => harness.discord.gateway.dropAll()],
  ])("resumes a connection %s, and answers what was said meanwhile", async (_name, drop) => {
    const harness = await start();
    const { discord } = harness;
    drop(harness);
    expect(await eventually(() => discord.gateway.connectedShards().length === 0)).toBe(true);
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} are you there?`,
    });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    expect(discord.gateway.resumes).toBe(1);
    expect(discord.gateway.identifies).toHaveLength(1);
    expect(harness.logged("Discord gateway resumed")).toBe(1);
    expect(botMessages(harness, discord.ids.general)).toHaveLength(1);
  });

  it("runs sharded (DISCORD_SHARDS=2), each server answered by its own shard", async () => {
    const harness = await start({ fake: { world: { shardCount: 2 } }, connector: { shards: 2 } });
    const { discord } = harness;
    expect(discord.gateway.identifies.map((identify) => identify.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const lobby = discord.ids.lobby ?? "";
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} shard zero`,
    });
    discord.say({
      author: discord.ids.bob,
      channel: lobby,
      content: `${mention(discord.ids.bot)} shard one`,
    });
    expect(await eventually(() => harness.logged("answered") === 2)).toBe(true);
    expect(botMessages(harness, discord.ids.general)).toHaveLength(1);
    expect(botMessages(harness, lobby)).toHaveLength(1);
  });

  it("asks Discord how many shards to run with DISCORD_SHARDS=auto", async () => {
    const harness = await start({
      fake: { world: { shardCount: 2 }, recommendedShards: 2 },
      connector: { shards: "auto" },
    });
    expect(harness.discord.gateway.identifies).toHaveLength(2);
    expect(
      harness.logger.lines.find((line) => line.message === "connected to Discord")?.fields,
    ).toMatchObject({
      shards: [0, 1],
      shardCount: 2,
      guilds: 2,
    });
  });

  it("runs without the Message Content intent when it is not enabled: mentions and DMs still work", async () => {
    const harness = await start({ fake: { allowMessageContent: false } });
    const { discord } = harness;
    expect(discord.gateway.identifies).toEqual([{ shard: [0, 1], intents: BASE }]);
    expect(
      harness.logger.lines.some((line) => line.message.includes("Message Content intent is not enabled")),
    ).toBe(true);
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} hello`,
    });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    expect(harness.ollama.chatBodies()[0]?.messages.at(-1)?.content).toBe("bob: hello");
    const dm = discord.openDm(discord.ids.bob);
    discord.say({ author: discord.ids.bob, channel: dm, content: "a DM" });
    expect(await eventually(() => harness.logged("answered") === 2)).toBe(true);

    // A thread follow-up arrives without its text: nothing to answer, and the log says why.
    const thread = discord.createThread({
      parent: discord.ids.general,
      name: "t",
      owner: discord.ids.bob,
      botIsMember: true,
    });
    discord.say({ author: discord.ids.bob, channel: thread, content: "unreadable without the intent" });
    discord.say({
      author: discord.ids.bob,
      channel: thread,
      content: `${mention(discord.ids.bot)} readable`,
    });
    expect(await eventually(() => harness.logged("answered") === 3)).toBe(true);
    expect(harness.ollama.chatBodies()).toHaveLength(3);
    expect(
      harness.logger.lines.some((line) =>
        line.message.startsWith("a thread follow-up or reply arrived without"),
      ),
    ).toBe(true);
  });

  it("fails to start with a clear error when the token is wrong", async () => {
    const harness = await start({ connector: { token: "not-the-token" }, start: false });
    await expect(harness.connector.start()).rejects.toThrow(/token/i);
  });
});
