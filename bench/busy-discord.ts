/**
 * The busy Discord figures, troupe (`npm start`) and the bare discord.js bot (bench/bare-discord-bot.ts)
 * each as a real child process against the same loopback fakes and the same model timings:
 * (a) 20 people mention the bot at once in one channel, each answer streamed over 2 s, the channel's
 *     write budget Discord's (5 per 5 s, the fake's default): the time from the burst until every
 *     answer's full text is on the fake Discord, and the 429s the fake sent;
 * (b) with room in the channel (20 mentions 250 ms apart, each in its own channel): the time from the
 *     model's last token leaving it to the fake Discord receiving the write that holds the full text.
 * A model timing proxy in front of the fake Ollama tells which answer went to which question and
 * when its last token left; the fake's request log says when the full text arrived. Each side gets a
 * fresh fake Discord and fake Ollama, and one warm-up answer (its own channel) before anything is timed.
 */
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";
import { type FakeDiscord, startFakeDiscord } from "../tests/fakes/fake-discord/fake-discord.js";
import { type FakeOllama, startFakeOllama } from "../tests/fakes/fake-ollama.js";
import { splitIntoChunks } from "../tests/fakes/llm-fake-reply.js";
import { type BenchChild, pollUntil, startTroupeChild, startTsxChild } from "./children.js";
import { type ModelTimingProxy, startModelTimingProxy } from "./model-timing-proxy.js";
import { type Summary, summarize } from "./stats.js";

export type Side = "bare" | "troupe";

export const BURST_PEOPLE = 20;
export const BURST_STREAM_MS = 2_000;
export const BURST_TIMEOUT_MS = 120_000;
export const LATENCY_ANSWERS = 20;
export const LATENCY_STREAM_MS = 500;
const LATENCY_SPACING_MS = 250;
export const LATENCY_TIMEOUT_MS = 60_000;
const CHUNKS_PER_ANSWER = 20;

export interface BurstFigures {
  /** Burst → the last answer's full text on Discord; undefined when not every answer got there in time. */
  completeMs?: number;
  answered: number;
  tooManyRequests: number;
}

export interface DiscordBusyFigures {
  burst: BurstFigures;
  /** Model's last token → full text on Discord, with room in the channel. */
  lastTokenToText?: Summary;
  latencyAnswered: number;
}

const MARKER = /busy-[a-z]+-\d+/;
const writeBody = z.looseObject({ content: z.string().optional() });
const now = () => performance.timeOrigin + performance.now();

interface DiscordWorld {
  discord: FakeDiscord;
  ollama: FakeOllama;
  proxy: ModelTimingProxy;
  bot: BenchChild;
  people: string[];
  warmChannel: string;
  burstChannel: string;
  latencyChannels: string[];
}

/** A distinct answer of about 200 characters, streamed in `CHUNKS_PER_ANSWER` chunks over `streamMs`. */
function answer(label: string, streamMs: number) {
  const text = `Reply ${label}: ${"words arriving one after another from the model ".repeat(4).trim()}.`;
  return {
    chunks: splitIntoChunks(text, Math.ceil(text.length / CHUNKS_PER_ANSWER)),
    delayMs: streamMs / CHUNKS_PER_ANSWER,
  };
}

/** When the fake Discord received a successful write holding the whole answer to `marker`. */
function fullTextAt(world: DiscordWorld, marker: string): number | undefined {
  const timing = world.proxy.timings.get(marker);
  if (timing?.doneAt === undefined || timing.answer === "") return undefined;
  for (const request of world.discord.requests) {
    if (request.method !== "POST" && request.method !== "PATCH") continue;
    if (request.status === undefined || request.status < 200 || request.status >= 300) continue;
    const content = writeBody.safeParse(request.body).data?.content;
    if (content?.includes(timing.answer)) return request.at;
  }
  return undefined;
}

async function startWorld(side: Side): Promise<DiscordWorld> {
  const ollama = await startFakeOllama();
  const proxy = await startModelTimingProxy(ollama.host, MARKER);
  const discord = await startFakeDiscord({ world: { extraChannels: 2 + LATENCY_ANSWERS } });
  const guild = discord.world.guilds.get(discord.ids.guild);
  const people = Array.from({ length: BURST_PEOPLE }, (_, index) => {
    const person = discord.world.addUser(`person${index + 1}`, `Person ${index + 1}`);
    guild?.members.push({ userId: person.id, nick: null, roles: [] });
    return person.id;
  });
  const [warmChannel = "", burstChannel = "", ...latencyChannels] = discord.ids.extra;
  const env = { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, OLLAMA_HOST: proxy.host };
  const bot =
    side === "troupe"
      ? startTroupeChild("troupe", {
          ...env,
          MODEL_PROVIDER: "ollama",
          STORE_URL: "memory://",
          PLATFORM_RETRY_SECONDS: "0",
        })
      : startTsxChild("bare discord.js bot", "bench/bare-discord-bot.ts", env);
  const world = { discord, ollama, proxy, bot, people, warmChannel, burstChannel, latencyChannels };
  try {
    await bot.waitForOutput(side === "troupe" ? '"msg":"ready"' : "ready", 60_000);
  } catch (error) {
    await closeWorld(world);
    throw error;
  }
  return world;
}

async function closeWorld(world: DiscordWorld): Promise<void> {
  await world.bot.stop();
  await world.discord.close();
  await world.proxy.close();
  await world.ollama.close();
}

function ask(world: DiscordWorld, person: string, channel: string, marker: string): void {
  world.discord.say({
    author: person,
    channel,
    content: `<@${world.discord.ids.bot}> ${marker} what do you make of this?`,
  });
}

/** One answer in its own channel, untimed: connections opened, code paths warm on both sides. */
async function warmUp(world: DiscordWorld): Promise<void> {
  world.ollama.enqueue(answer("warm-up", 200));
  ask(world, world.people[0] ?? "", world.warmChannel, "busy-warm-0");
  const done = await pollUntil(() => fullTextAt(world, "busy-warm-0") !== undefined, 30_000);
  if (!done) throw new Error(`${world.bot.name}: the warm-up answer never reached Discord`);
  // The warm-up's writes were in its own channel; this lets any tail of them settle.
  await delay(500);
}

async function burst(world: DiscordWorld): Promise<BurstFigures> {
  for (let index = 0; index < BURST_PEOPLE; index++)
    world.ollama.enqueue(answer(`a${index}`, BURST_STREAM_MS));
  const markers = world.people.map((_, index) => `busy-a-${index}`);
  const rejectedBefore = world.discord.tooManyRequests();
  const started = now();
  world.people.forEach((person, index) => {
    ask(world, person, world.burstChannel, markers[index] ?? "");
  });
  const arrivals = () => markers.map((marker) => fullTextAt(world, marker));
  await pollUntil(() => arrivals().every((at) => at !== undefined), BURST_TIMEOUT_MS, 100);
  const times = arrivals().filter((at) => at !== undefined);
  return {
    completeMs: times.length === markers.length ? Math.max(...times) - started : undefined,
    answered: times.length,
    tooManyRequests: world.discord.tooManyRequests() - rejectedBefore,
  };
}

async function lastTokenToText(world: DiscordWorld): Promise<{ summary?: Summary; answered: number }> {
  const markers = world.latencyChannels.map((_, index) => `busy-b-${index}`);
  // Distinct texts, so each answer is found by its own words (which one a question gets is the proxy's to say).
  markers.forEach((_, index) => {
    world.ollama.enqueue(answer(`b${index}`, LATENCY_STREAM_MS));
  });
  for (const [index, channel] of world.latencyChannels.entries()) {
    ask(world, world.people[index % world.people.length] ?? "", channel, markers[index] ?? "");
    await delay(LATENCY_SPACING_MS);
  }
  await pollUntil(
    () => markers.every((marker) => fullTextAt(world, marker) !== undefined),
    LATENCY_TIMEOUT_MS,
    100,
  );
  const latencies: number[] = [];
  for (const marker of markers) {
    const lastToken = world.proxy.timings.get(marker)?.lastTokenAt;
    const visible = fullTextAt(world, marker);
    if (lastToken !== undefined && visible !== undefined) latencies.push(visible - lastToken);
  }
  return {
    summary: latencies.length === markers.length ? summarize(latencies) : undefined,
    answered: latencies.length,
  };
}

/** Both figures for one side, on one bot process (the burst first, then the latency run in fresh channels). */
export async function benchDiscordBusy(side: Side): Promise<DiscordBusyFigures> {
  const world = await startWorld(side);
  try {
    await warmUp(world);
    const burstFigures = await burst(world);
    const latency = await lastTokenToText(world);
    return { burst: burstFigures, lastTokenToText: latency.summary, latencyAnswered: latency.answered };
  } finally {
    await closeWorld(world);
  }
}
