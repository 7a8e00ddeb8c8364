/**
 * Real troupe processes (`node src/main.ts`) on one Discord bot, sharing one real redis-server:
 * - spread over machines: DISCORD_SHARDS=2 with DISCORD_SHARD_IDS=0 in one process and =1 in the
 *   other; each server's messages are answered once, by the process that runs its shard;
 * - a rolling deploy: two processes connected as the same bot without shards both receive every
 *   MESSAGE_CREATE and INTERACTION_CREATE (as Discord sends a shard's events to each of its
 *   sessions), and each message and command is still answered once.
 * Each process talks to its own fake Ollama, so the model call shows which process answered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeDiscord, type FakeMessage, startFakeDiscord } from "../fakes/fake-discord/fake-discord.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { eventually, startFleet, type TroupeFleet } from "../helpers/troupe-fleet.js";

let redis: RedisServer;
/** A bot on two shards ("Troupe Test" on shard 0, "Second" on shard 1), and one on a single shard. */
let sharded: FakeDiscord;
let single: FakeDiscord;
/** Models of the sharded processes (0, 1), then of the same-bot processes (2, 3). */
let ollamas: FakeOllama[];
let fleet: TroupeFleet;

beforeAll(async () => {
  [redis, sharded, single, ollamas] = await Promise.all([
    startRedisServer(),
    startFakeDiscord({ world: { shardCount: 2 } }),
    // A channel per message: Discord's per-channel write limit would otherwise pace the answers.
    startFakeDiscord({ world: { extraChannels: 4 } }),
    Promise.all(Array.from({ length: 4 }, () => startFakeOllama())),
  ]);
  const common = {
    MODEL_PROVIDER: "ollama",
    STORE_URL: redis.url,
    PLATFORM_RETRY_SECONDS: "0",
    LOG_LEVEL: "debug",
  };
  const model = (index: number) => ({ OLLAMA_HOST: ollamas[index]?.host ?? "" });
  const on = (discord: FakeDiscord) => ({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl });
  fleet = await startFleet([
    { ...common, ...model(0), ...on(sharded), DISCORD_SHARDS: "2", DISCORD_SHARD_IDS: "0" },
    { ...common, ...model(1), ...on(sharded), DISCORD_SHARDS: "2", DISCORD_SHARD_IDS: "1" },
    { ...common, ...model(2), ...on(single) },
    { ...common, ...model(3), ...on(single) },
  ]);
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  await Promise.all([
    redis?.stop(),
    sharded?.close(),
    single?.close(),
    ...(ollamas ?? []).map((ollama) => ollama.close()),
  ]);
});

/** The bot's replies to one message. */
function repliesTo(discord: FakeDiscord, message: FakeMessage): FakeMessage[] {
  return discord
    .messagesIn(message.channelId)
    .filter((reply) => reply.authorId === discord.ids.bot && reply.replyTo === message.id);
}

/** Which processes' models were asked `question` (by `author`), one entry per call. */
function askedBy(author: string, question: string): number[] {
  return ollamas.flatMap((ollama, index) =>
    ollama
      .chatBodies()
      .filter((body) => body.messages.at(-1)?.content === `${author}: ${question}`)
      .map(() => index),
  );
}

describe("one Discord bot in several processes on one Redis", () => {
  it("spreads the shards over processes: each runs its DISCORD_SHARD_IDS and answers its servers' messages once", async () => {
    expect(sharded.gateway.identifies.map((identify) => identify.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const connected = fleet.lines().filter((line) => line.msg === "connected to Discord");
    expect(connected.filter((line) => line.instance === 0).map((line) => line.shards)).toEqual([[0]]);
    expect(connected.filter((line) => line.instance === 1).map((line) => line.shards)).toEqual([[1]]);
    expect(connected.find((line) => line.instance === 0)).toMatchObject({ shardCount: 2, guilds: 1 });

    const lobby = sharded.ids.lobby ?? "";
    // Two per channel: more would wait for Discord's per-channel write limit.
    const said = [0, 1].flatMap((round) => [
      {
        shard: 0,
        question: `first server ${round}`,
        message: sharded.say({
          author: sharded.ids.bob,
          channel: sharded.ids.general,
          content: `<@${sharded.ids.bot}> first server ${round}`,
        }),
      },
      {
        shard: 1,
        question: `second server ${round}`,
        message: sharded.say({
          author: sharded.ids.bob,
          channel: lobby,
          content: `<@${sharded.ids.bot}> second server ${round}`,
        }),
      },
    ]);
    const dm = sharded.say({
      author: sharded.ids.bob,
      channel: sharded.openDm(sharded.ids.bob),
      content: "a DM",
    });
    await eventually("every message answered", () =>
      [...said.map((entry) => entry.message), dm].every((message) => repliesTo(sharded, message).length > 0),
    );
    await eventually("every answer finished", () => fleet.logged("answered").reduce((a, b) => a + b, 0) >= 5);
    for (const { shard, question, message } of said) {
      expect(repliesTo(sharded, message), question).toHaveLength(1);
      expect(askedBy("bob", question), question).toEqual([shard]);
    }
    // Direct messages travel on shard 0.
    expect(repliesTo(sharded, dm)).toHaveLength(1);
    const dmAsked = (index: number) =>
      ollamas[index]?.chatBodies().filter((body) => body.messages.at(-1)?.content === "a DM").length;
    expect([dmAsked(0), dmAsked(1)]).toEqual([1, 0]);
  });

  it("answers a message once when two processes of one bot (a rolling deploy) both receive it", async () => {
    expect(single.gateway.identifies.map((identify) => identify.shard)).toEqual([
      [0, 1],
      [0, 1],
    ]);
    const ignoredBefore = fleet.logged("message already handled (another gateway session): ignored");
    const messages = [0, 1, 2, 3].map((round) =>
      single.say({
        author: single.ids.ada,
        channel: single.ids.extra[round] ?? "",
        content: `<@${single.ids.bot}> rolling ${round}`,
      }),
    );
    await eventually("every duplicate left to the other process", () => {
      const ignored = fleet.logged("message already handled (another gateway session): ignored");
      return (
        ignored.reduce((a, b) => a + b, 0) - ignoredBefore.reduce((a, b) => a + b, 0) === messages.length
      );
    });
    await eventually("every message answered", () =>
      messages.every((message) => repliesTo(single, message).length > 0),
    );
    for (const [round, message] of messages.entries()) {
      expect(repliesTo(single, message), `rolling ${round}`).toHaveLength(1);
      const asked = askedBy("Ada", `rolling ${round}`);
      expect(asked, `rolling ${round}`).toHaveLength(1);
      expect([2, 3]).toContain(asked[0]);
    }
  });

  it("runs a slash command once when both processes of one bot receive the interaction", async () => {
    const interaction = single.command({
      user: single.ids.bob,
      channel: single.ids.general,
      name: "ask",
      options: [{ name: "prompt", value: "a command for two sessions" }],
    });
    await eventually("the other process told it was acknowledged", () =>
      fleet.lines().some((line) => line.msg === "interaction handled by another instance"),
    );
    await eventually("the command answered", () => askedBy("bob", "a command for two sessions").length > 0);
    await eventually("the answer in the original message", () =>
      (single.world.messages.get(interaction.originalId ?? "")?.content ?? "").includes(
        "a command for two sessions",
      ),
    );
    expect(interaction.callbacks).toHaveLength(1);
    expect(askedBy("bob", "a command for two sessions")).toHaveLength(1);
  });
});
