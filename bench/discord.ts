/**
 * The Discord figures, against the fakes on loopback, with 50 conversations at once (50 channels,
 * one mention each, in each round):
 * - from a MESSAGE_CREATE reaching the bot (sent on the fake gateway) to its request reaching the
 *   model (arriving at the model server), for troupe in this process (the real discord.js client,
 *   the real bot, the Ollama provider) over memory:// and over sqlite://, and for the bare
 *   discord.js bot (bench/bare-discord-bot.ts, a child process: it has no store, so its figure is
 *   the floor of what discord.js and the model client cost);
 * - for troupe, from the model's first token (leaving the model server) to the answer's first
 *   message on Discord (the create arriving at the fake Discord).
 * Not a test: timings live here, never in tests.
 */

import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { eventually, mention, startHarness } from "../tests/connectors/discord/harness.js";
import { startFakeDiscord } from "../tests/fakes/fake-discord/fake-discord.js";
import { startFakeOllama } from "../tests/fakes/fake-ollama.js";
import { splitIntoChunks } from "../tests/fakes/llm-fake-reply.js";
import { makeTempDir, pollUntil, removeTempDir, startTsxChild } from "./children.js";
import { startModelTimingProxy } from "./model-timing-proxy.js";
import { type Summary, summarize } from "./stats.js";

export interface DiscordBench {
  conversations: number;
  rounds: number;
  messageToModel: Summary;
  firstTokenToMessage: Summary;
}

export type DiscordStore = "memory" | "sqlite";

const now = () => performance.timeOrigin + performance.now();

/**
 * Rounds run first and not counted: the first burst after start-up pays for compiling the code
 * paths (and, troupe's two stores sharing this process, for the store that happens to go first).
 */
const WARM_UP_ROUNDS = 1;

function enqueueAnswers(ollama: Awaited<ReturnType<typeof startFakeOllama>>, conversations: number) {
  for (let index = 0; index < conversations; index++) {
    ollama.enqueue({
      chunks: splitIntoChunks(`Answer ${index}: ${"a few streamed words ".repeat(6)}`, 8),
      delayMs: 10,
    });
  }
}

interface TroupeSide {
  /** One burst of `conversations` mentions, each in a fresh channel; resolves once all are answered. */
  round(round: number): Promise<void>;
  result(): DiscordBench;
  close(): Promise<void>;
}

/** troupe in this process, its store memory:// or a fresh SQLite file. */
async function startTroupeSide(
  store: DiscordStore,
  conversations: number,
  rounds: number,
): Promise<TroupeSide> {
  const dir = store === "sqlite" ? makeTempDir("troupe-bench-discord-") : undefined;
  const ollama = await startFakeOllama();
  const proxy = await startModelTimingProxy(ollama.host, /bench-\d+-\d+/);
  const harness = await startHarness({
    ollama,
    modelHost: proxy.host,
    storeUrl: dir === undefined ? "memory://" : `sqlite://${join(dir, "troupe.sqlite")}`,
    // Fresh channels every round: a channel's write budget left over from the round before would
    // be timed too, and this measures the pipeline.
    fake: { world: { extraChannels: conversations * (WARM_UP_ROUNDS + rounds) } },
  });
  const { discord } = harness;
  const toModel: number[] = [];
  const toMessage: number[] = [];
  return {
    async round(round) {
      const sentAt = new Map<string, number>();
      const answeredBefore = harness.logged("answered");
      const firstRequest = discord.requests.length;
      enqueueAnswers(ollama, conversations);
      const channels = discord.ids.extra.slice(round * conversations, (round + 1) * conversations);
      channels.forEach((channel, index) => {
        const marker = `bench-${round}-${index}`;
        sentAt.set(marker, now());
        discord.say({ author: discord.ids.bob, channel, content: `${mention(discord.ids.bot)} ${marker}` });
      });
      const done = await eventually(
        () => harness.logged("answered") === answeredBefore + conversations,
        120_000,
      );
      if (!done) throw new Error(`${store} round ${round}: not every conversation was answered`);
      const creates = discord.requests.slice(firstRequest).filter((request) => request.method === "POST");
      channels.forEach((channel, index) => {
        const marker = `bench-${round}-${index}`;
        const timing = proxy.timings.get(marker);
        const sent = sentAt.get(marker);
        const created = creates.find((request) => request.path === `/channels/${channel}/messages`);
        if (timing?.firstTokenAt === undefined || sent === undefined || created === undefined)
          throw new Error(`${store} round ${round}: no timing for ${marker}`);
        if (round < WARM_UP_ROUNDS) return;
        toModel.push(timing.requestAt - sent);
        toMessage.push(created.at - timing.firstTokenAt);
      });
    },
    result: () => ({
      conversations,
      rounds,
      messageToModel: summarize(toModel),
      firstTokenToMessage: summarize(toMessage),
    }),
    async close() {
      await harness.close();
      await proxy.close();
      if (dir !== undefined) removeTempDir(dir);
    },
  };
}

/**
 * troupe over each store, rounds taken in turn (memory, SQLite, memory, …) so that both see the
 * same machine: a busy moment lands on one round of each, not on all of one store's.
 */
export async function benchDiscord(
  stores: readonly DiscordStore[] = ["memory", "sqlite"],
  conversations = 50,
  rounds = 4,
): Promise<Map<DiscordStore, DiscordBench>> {
  const sides = new Map<DiscordStore, TroupeSide>();
  try {
    for (const store of stores) sides.set(store, await startTroupeSide(store, conversations, rounds));
    for (let round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
      for (const side of sides.values()) {
        // Each round is a burst on an idle bot: the global budget (50 requests a second) spent by
        // the round before's last edits would otherwise be timed too.
        await delay(2_000);
        await side.round(round);
      }
    }
    return new Map([...sides].map(([store, side]) => [store, side.result()]));
  } finally {
    for (const side of sides.values()) await side.close();
  }
}

/** The bare discord.js bot (a child process), the same rounds: MESSAGE_CREATE → request at the model. */
export async function benchBareDiscord(conversations = 50, rounds = 4): Promise<Summary> {
  const ollama = await startFakeOllama();
  const proxy = await startModelTimingProxy(ollama.host, /bench-\d+-\d+/);
  const discord = await startFakeDiscord({
    world: { extraChannels: conversations * (WARM_UP_ROUNDS + rounds) },
  });
  const bot = startTsxChild("bare discord.js bot", "bench/bare-discord-bot.ts", {
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    OLLAMA_HOST: proxy.host,
  });
  const toModel: number[] = [];
  try {
    await bot.waitForOutput("ready", 60_000);
    for (let round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
      await delay(2_000);
      const sentAt = new Map<string, number>();
      enqueueAnswers(ollama, conversations);
      const channels = discord.ids.extra.slice(round * conversations, (round + 1) * conversations);
      const markers = channels.map((_, index) => `bench-${round}-${index}`);
      channels.forEach((channel, index) => {
        const marker = markers[index] ?? "";
        sentAt.set(marker, now());
        discord.say({ author: discord.ids.bob, channel, content: `${mention(discord.ids.bot)} ${marker}` });
      });
      const done = await pollUntil(
        () => markers.every((marker) => proxy.timings.get(marker)?.doneAt !== undefined),
        120_000,
      );
      if (!done) throw new Error(`bare round ${round}: not every conversation reached the model`);
      for (const marker of markers) {
        const timing = proxy.timings.get(marker);
        const sent = sentAt.get(marker);
        if (timing === undefined || sent === undefined) throw new Error(`bare: no timing for ${marker}`);
        if (round >= WARM_UP_ROUNDS) toModel.push(timing.requestAt - sent);
      }
    }
    return summarize(toModel);
  } finally {
    await bot.stop();
    await discord.close();
    await proxy.close();
    await ollama.close();
  }
}
