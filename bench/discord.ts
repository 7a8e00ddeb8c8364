/**
 * The Discord figures, against the fakes on loopback (the real discord.js client, the real bot, the
 * Ollama provider): with 50 conversations at once (50 channels, one mention each, in each round),
 * - from a MESSAGE_CREATE reaching the bot (sent on the fake gateway) to its request reaching the
 *   model (arriving at the model server);
 * - from the model's first token (leaving the model server) to the answer's first message on
 *   Discord (the create arriving at the fake Discord).
 * Not a test: timings live here, never in tests.
 */

import { setTimeout as delay } from "node:timers/promises";
import { eventually, mention, startHarness } from "../tests/connectors/discord/harness.js";
import { startFakeOllama } from "../tests/fakes/fake-ollama.js";
import { splitIntoChunks } from "../tests/fakes/llm-fake-reply.js";
import { startModelTimingProxy } from "./model-timing-proxy.js";
import { type Summary, summarize } from "./stats.js";

export interface DiscordBench {
  conversations: number;
  rounds: number;
  messageToModel: Summary;
  firstTokenToMessage: Summary;
}

const now = () => performance.timeOrigin + performance.now();

export async function benchDiscord(conversations = 50, rounds = 4): Promise<DiscordBench> {
  const ollama = await startFakeOllama();
  const proxy = await startModelTimingProxy(ollama.host, /bench-\d+-\d+/);
  const harness = await startHarness({
    ollama,
    modelHost: proxy.host,
    // Fresh channels every round: a channel's write budget left over from the round before would
    // be timed too, and this measures the pipeline.
    fake: { world: { extraChannels: conversations * rounds } },
  });
  const { discord } = harness;
  const toModel: number[] = [];
  const toMessage: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // Each round is a burst on an idle bot: the global budget (50 requests a second) spent by the
      // round before's last edits would otherwise be timed too.
      await delay(2_000);
      const sentAt = new Map<string, number>();
      const answeredBefore = harness.logged("answered");
      const firstRequest = discord.requests.length;
      for (let index = 0; index < conversations; index++) {
        ollama.enqueue({
          chunks: splitIntoChunks(`Answer ${index}: ${"a few streamed words ".repeat(6)}`, 8),
          delayMs: 10,
        });
      }
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
      if (!done) throw new Error(`round ${round}: not every conversation was answered`);
      const creates = discord.requests.slice(firstRequest).filter((request) => request.method === "POST");
      channels.forEach((channel, index) => {
        const marker = `bench-${round}-${index}`;
        const timing = proxy.timings.get(marker);
        const sent = sentAt.get(marker);
        const created = creates.find((request) => request.path === `/channels/${channel}/messages`);
        if (timing?.firstTokenAt === undefined || sent === undefined || created === undefined)
          throw new Error(`round ${round}: no timing for ${marker}`);
        toModel.push(timing.requestAt - sent);
        toMessage.push(created.at - timing.firstTokenAt);
      });
    }
    return {
      conversations,
      rounds,
      messageToModel: summarize(toModel),
      firstTokenToMessage: summarize(toMessage),
    };
  } finally {
    await harness.close();
    await proxy.close();
  }
}
