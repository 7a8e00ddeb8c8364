/**
 * `npm run bench -- soak [--conversations N] [--store sqlite|memory|both]`: memory after traffic,
 * troupe (`npm start`) beside the bare Bolt app (bench/bare-bolt-app.ts), one after the other (never
 * together: they would share the machine's two cores), each a real child process in Slack HTTP mode
 * against the same loopback fakes (fake Slack, the fake Ollama's instant echo).
 *
 * A conversation is a Slack thread: a person mentions the bot three times in it, each question only
 * after the previous one was answered (people wait for the answer), 32 conversations in flight.
 * Every 1,000 conversations the bench lets the process settle and reads, from outside:
 * - RSS (VmRSS), and how much of it is anonymous memory (RssAnon: heap, malloc) vs mapped files;
 * - then, through bench/memory-probe.mjs (loaded with NODE_OPTIONS, answers SIGUSR2), the V8 heap
 *   after a full collection, `external` and `arrayBuffers`: what is alive, against what is resident.
 * RSS is read before the probe's collection, so it is the process as it runs.
 *
 * Quick by default (2,000 conversations, the goal's "after traffic" mark); `--conversations 10000`
 * is the soak, whose growth after the first 1,000 is the "flat" figure. troupe runs on its default
 * store (SQLite, a temp file) and, with `--store memory|both`, on memory:// too, where remembering
 * every conversation in RSS is the design.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { type FakeDiscord, startFakeDiscord } from "../tests/fakes/fake-discord/fake-discord.js";
import { startFakeOllama } from "../tests/fakes/fake-ollama.js";
import { type FakeSlack, startFakeSlack } from "../tests/fakes/fake-slack/fake-slack.js";
import { eventCallback, messageEvent } from "../tests/fakes/fake-slack/payloads.js";
import { sendSignedRaw } from "../tests/fakes/fake-slack/signed-requests.js";
import { freePort } from "../tests/helpers/redis-server.js";
import { repoRoot } from "../tests/helpers/run-troupe.js";
import {
  type BenchChild,
  botProcess,
  makeTempDir,
  pollUntil,
  portAccepts,
  removeTempDir,
  startTroupeChild,
  startTsxChild,
} from "./children.js";

export const SAMPLE_EVERY = 1_000;
export const EXCHANGES = 3;
export const AFTER_TRAFFIC_MARK = 2_000;
const IN_FLIGHT = 32;
const SIGNING_SECRET = "bench-signing-secret-0123456789";
/** How long a process sits before a reading: timers fire, the collector runs as it would. */
const SETTLE_MS = 2_000;
const PERSON = "USOAK0001";
const DISCORD_CHANNELS = 500;
const ANSWER_WITHIN_MS = 120_000;

export type SoakPlatform = "slack" | "discord";

export type SoakSide = "bare" | "troupe sqlite" | "troupe memory";

export interface MemorySample {
  conversations: number;
  rss: number;
  rssAnon: number;
  /** After a full collection, through the probe; undefined when the probe did not answer. */
  heapUsed?: number;
  heapTotal?: number;
  external?: number;
  arrayBuffers?: number;
}

export interface SoakRun {
  side: SoakSide;
  idle: MemorySample;
  samples: MemorySample[];
  /** Questions whose answer never reached the fake Slack within two minutes of their round. */
  unanswered: number;
}

function kbField(text: string, field: string): number {
  const kb = new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

async function sample(pid: number, probeDir: string, conversations: number): Promise<MemorySample> {
  await delay(SETTLE_MS);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const reading: MemorySample = {
    conversations,
    rss: kbField(status, "VmRSS"),
    rssAnon: kbField(status, "RssAnon"),
  };
  const file = join(probeDir, `${pid}.json`);
  const before = readProbe(file)?.at ?? 0;
  process.kill(pid, "SIGUSR2");
  await pollUntil(() => (readProbe(file)?.at ?? 0) > before, 30_000, 50);
  const probe = readProbe(file);
  if (probe === undefined || probe.at <= before) return reading;
  return {
    ...reading,
    heapUsed: probe.heapUsed,
    heapTotal: probe.heapTotal,
    external: probe.external,
    arrayBuffers: probe.arrayBuffers,
  };
}

interface ProbeReading {
  at: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

function readProbe(file: string): ProbeReading | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ProbeReading;
  } catch {
    return undefined;
  }
}

const pad = (value: number, width: number) => String(value).padStart(width, "0");

/** The body of one app_mention: exchange `exchange` of conversation `thread` (a thread of its own). */
function mentionBody(slack: FakeSlack, serial: number, thread: number, exchange: number): string {
  const { teamId, botUserId } = slack.identity;
  const identity = { ...slack.identity, teamId, botUserId };
  const event = messageEvent({
    type: "app_mention",
    channel: `CSOAK${pad(thread % 100, 4)}`,
    user: PERSON,
    text: `<@${botUserId}> question ${exchange} in conversation ${thread}`,
    ts: `1700200000.${pad(serial, 7)}`,
    threadTs: `1700100000.${pad(thread, 6)}`,
  });
  return JSON.stringify(eventCallback(identity, event, `EvSOAK${pad(serial, 8)}`));
}

/** One platform's fake, as the soak drives it. */
interface SoakWorld {
  env: Record<string, string>;
  /** Answers the bot has posted so far. */
  answers(): number;
  /** A person asks question `exchange` of conversation `conversation`. */
  ask(conversation: number, exchange: number): Promise<void>;
  /** Whether the bot is connected (Discord: identified) or accepting (Slack HTTP: the port). */
  connected(): Promise<boolean>;
  close(): Promise<void>;
}

/** Counts matching items of a log that only grows, reading each item once. */
function counter<T>(log: () => readonly T[], matches: (item: T) => boolean): () => number {
  let read = 0;
  let count = 0;
  return () => {
    const items = log();
    for (; read < items.length; read++) {
      const item = items[read];
      if (item !== undefined && matches(item)) count++;
    }
    return count;
  };
}

async function slackWorld(): Promise<SoakWorld> {
  const slack = await startFakeSlack();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/slack/events`;
  slack.addUser({ id: PERSON, name: "lena", displayName: "Lena" });
  return {
    env: {
      SLACK_BOT_TOKEN: slack.identity.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
    },
    answers: counter(
      () => slack.calls(),
      (call) => call.method === "chat.postMessage",
    ),
    async ask(conversation, exchange) {
      const body = mentionBody(slack, conversation * EXCHANGES + exchange, conversation, exchange);
      await sendSignedRaw(url, body, "application/json", { secret: SIGNING_SECRET }).catch(() => undefined);
    },
    connected: () => portAccepts(port),
    close: () => slack.close(),
  };
}

/**
 * Discord's conversations are channels: conversation n talks in channel n mod DISCORD_CHANNELS, so
 * after the first DISCORD_CHANNELS a channel carries on with more history (bounded by troupe's
 * MAX_TURNS), as a server's channels do. The fake's write budget is opened wide: this measures
 * memory, not pacing.
 */
async function discordWorld(): Promise<SoakWorld> {
  const discord: FakeDiscord = await startFakeDiscord({
    world: { extraChannels: DISCORD_CHANNELS },
    rateLimit: { limit: 1_000_000 },
  });
  return {
    env: { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl },
    answers: counter(
      () => discord.writes,
      (write) => write.kind === "create" && write.via !== "interaction" && write.status < 300,
    ),
    async ask(conversation, exchange) {
      const channel = discord.ids.extra[conversation % DISCORD_CHANNELS] ?? discord.ids.general;
      discord.say({
        author: discord.ids.bob,
        channel,
        content: `<@${discord.ids.bot}> question ${exchange} in conversation ${conversation}`,
      });
    },
    connected: async () => discord.gateway.identifies.length > 0,
    close: () => discord.close(),
  };
}

/**
 * Conversations [from, to), EXCHANGES each: every conversation's next question only after its
 * previous answer was posted, IN_FLIGHT conversations at a time. Returns the questions unanswered.
 */
async function converse(world: SoakWorld, from: number, to: number): Promise<number> {
  const waiters = new Set<{ target: number; resolve: (ok: boolean) => void }>();
  const watch = setInterval(() => {
    const answered = world.answers();
    for (const waiter of waiters) {
      if (answered >= waiter.target) {
        waiters.delete(waiter);
        waiter.resolve(true);
      }
    }
  }, 20);
  let unanswered = 0;
  let next = from;
  let asked = world.answers();
  try {
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let conversation = next++; conversation < to; conversation = next++) {
          for (let exchange = 0; exchange < EXCHANGES; exchange++) {
            asked += 1;
            // Answers arrive in any order with 32 in flight: this question counts as answered
            // once as many answers were posted as questions had been asked when it went out.
            const target = asked;
            await world.ask(conversation, exchange);
            const ok = await new Promise<boolean>((resolve) => {
              const waiter = { target, resolve };
              waiters.add(waiter);
              setTimeout(() => {
                if (waiters.delete(waiter)) resolve(false);
              }, ANSWER_WITHIN_MS).unref();
            });
            if (!ok) unanswered += 1;
          }
        }
      }),
    );
  } finally {
    clearInterval(watch);
  }
  return unanswered;
}

/** One side: idle reading, then `conversations` conversations with a reading every SAMPLE_EVERY. */
export async function soakSide(
  platform: SoakPlatform,
  side: SoakSide,
  conversations: number,
  options: { snapshots?: boolean; progress?: (line: string) => void } = {},
): Promise<SoakRun> {
  const world = platform === "slack" ? await slackWorld() : await discordWorld();
  const ollama = await startFakeOllama();
  // Snapshots outlive the bench (children.ts removes its own temp folders at exit): a folder of their own.
  const dataDir = options.snapshots
    ? mkdtempSync(join(tmpdir(), "troupe-soak-snapshots-"))
    : makeTempDir("troupe-soak-");
  const env: Record<string, string> = {
    ...world.env,
    OLLAMA_HOST: ollama.host,
    NODE_OPTIONS: `--import ${join(repoRoot, "bench", "memory-probe.mjs")}`,
    TROUPE_BENCH_PROBE_DIR: dataDir,
    ...(options.snapshots ? { TROUPE_BENCH_SNAPSHOTS: "1" } : {}),
  };
  let bot: BenchChild | undefined;
  try {
    bot =
      side === "bare"
        ? startTsxChild(
            `bare ${platform}`,
            `bench/bare-${platform === "slack" ? "bolt-app" : "discord-bot"}.ts`,
            env,
          )
        : startTroupeChild(side, {
            ...env,
            MODEL_PROVIDER: "ollama",
            STORE_URL: side === "troupe sqlite" ? `sqlite://${join(dataDir, "troupe.sqlite")}` : "memory://",
            PLATFORM_RETRY_SECONDS: "0",
            LOG_LEVEL: "warn",
          });
    const running = bot;
    let connected = false;
    for (const deadline = Date.now() + 60_000; !connected && !running.exited() && Date.now() < deadline; )
      connected = (await world.connected()) || (await delay(50, false));
    if (!connected || running.exited())
      throw new Error(`${side} on ${platform} never connected: ${running.stderr().slice(-400)}`);
    // Discord: the session is ready a moment after IDENTIFY; Slack: Bolt's routes are up with the port.
    await delay(1_000);
    const pid = botProcess(running.pid);
    const run: SoakRun = { side, idle: await sample(pid, dataDir, 0), samples: [], unanswered: 0 };
    for (let done = 0; done < conversations; done += SAMPLE_EVERY) {
      const to = Math.min(conversations, done + SAMPLE_EVERY);
      run.unanswered += await converse(world, done, to);
      const reading = await sample(pid, dataDir, to);
      run.samples.push(reading);
      options.progress?.(`  … ${platform} ${side}: ${to} conversations, RSS ${mb(reading.rss)}`);
    }
    return run;
  } finally {
    await bot?.stop();
    await world.close();
    await ollama.close();
    if (!options.snapshots) removeTempDir(dataDir);
    else console.log(`  ${side}: heap snapshots kept in ${dataDir}`);
  }
}

const mb = (bytes: number | undefined) =>
  bytes === undefined ? "—" : `${Math.round(bytes / 1024 / 1024)} MB`;
const ratio = (troupe: number, bare: number) => (bare > 0 ? `${(troupe / bare).toFixed(2)}×` : "—");

function at(run: SoakRun, conversations: number): MemorySample | undefined {
  return run.samples.find((reading) => reading.conversations === conversations);
}

/** Growth of RSS from the first SAMPLE_EVERY conversations to the last reading. */
function growth(run: SoakRun): string {
  const first = at(run, SAMPLE_EVERY);
  const last = run.samples.at(-1);
  if (first === undefined || last === undefined || last === first) return "—";
  const delta = last.rss - first.rss;
  return `${delta >= 0 ? "+" : ""}${mb(delta)} (${SAMPLE_EVERY / 1000}k→${last.conversations / 1000}k)`;
}

const PLATFORM_LABEL: Record<SoakPlatform, string> = {
  slack: "Slack HTTP (a conversation is a thread)",
  discord: `Discord (a conversation in one of ${DISCORD_CHANNELS} channels)`,
};

export function formatSoak(platform: SoakPlatform, bare: SoakRun, troupes: SoakRun[]): string[] {
  const lines = [
    `soak, ${PLATFORM_LABEL[platform]}: conversations × ${EXCHANGES} exchanges, ${IN_FLIGHT} in flight, instant model; RSS read from /proc after ${SETTLE_MS / 1000} s at rest`,
  ];
  for (const troupe of troupes) {
    lines.push(`  ${troupe.side} vs bare | bare | troupe | ratio`);
    lines.push(
      `  RSS idle | ${mb(bare.idle.rss)} | ${mb(troupe.idle.rss)} | ${ratio(troupe.idle.rss, bare.idle.rss)}`,
    );
    const bareMark = at(bare, AFTER_TRAFFIC_MARK);
    const troupeMark = at(troupe, AFTER_TRAFFIC_MARK);
    if (bareMark !== undefined && troupeMark !== undefined)
      lines.push(
        `  RSS after ${AFTER_TRAFFIC_MARK.toLocaleString("en")} × ${EXCHANGES} | ${mb(bareMark.rss)} | ${mb(troupeMark.rss)} | ${ratio(troupeMark.rss, bareMark.rss)}`,
      );
    lines.push(`  RSS growth after the first 1,000 | ${growth(bare)} | ${growth(troupe)} |`);
  }
  lines.push(
    "  per reading: conversations: RSS (anon) / V8 heap total → used after a full GC / external (array buffers)",
  );
  for (const run of [bare, ...troupes]) {
    lines.push(`  ${run.side}${run.unanswered > 0 ? ` (${run.unanswered} unanswered)` : ""}:`);
    for (const reading of [run.idle, ...run.samples])
      lines.push(
        `    ${reading.conversations}: ${mb(reading.rss)} (${mb(reading.rssAnon)}) / ${mb(reading.heapTotal)} → ${mb(reading.heapUsed)} / ${mb(reading.external)} (${mb(reading.arrayBuffers)})`,
      );
  }
  return lines;
}

export interface SoakOptions {
  conversations: number;
  platforms: SoakPlatform[];
  stores: ("sqlite" | "memory")[];
  snapshots: boolean;
}

/**
 * Reads `--conversations N`, `--platform slack|discord|both`, `--store sqlite|memory|both` and
 * `--snapshots` (heap snapshots of troupe at every reading, kept in the temp folder it prints).
 */
export function soakOptions(args: string[]): SoakOptions {
  const value = (flag: string) => {
    const index = args.indexOf(flag);
    return index < 0 ? undefined : args[index + 1];
  };
  const conversations = Number(value("--conversations") ?? AFTER_TRAFFIC_MARK);
  if (!Number.isInteger(conversations) || conversations < SAMPLE_EVERY)
    throw new Error(`--conversations wants a whole number of at least ${SAMPLE_EVERY}`);
  const either = <T extends string>(flag: string, choices: readonly T[], fallback: string): T[] => {
    const given = value(flag) ?? fallback;
    if (given === "both") return [...choices];
    const chosen = choices.find((choice) => choice === given);
    if (chosen === undefined) throw new Error(`${flag} wants ${choices.join(", ")} or both, not ${given}`);
    return [chosen];
  };
  return {
    conversations,
    platforms: either("--platform", ["slack", "discord"] as const, "both"),
    stores: either("--store", ["sqlite", "memory"] as const, "sqlite"),
    snapshots: args.includes("--snapshots"),
  };
}

/**
 * Per platform: the bare bot, then troupe on each store asked for, one after the other; each
 * platform's table printed as soon as it is measured (a long soak cut short keeps what it has).
 */
export async function benchSoak(options: SoakOptions, print: (line: string) => void): Promise<void> {
  for (const platform of options.platforms) {
    const bare = await soakSide(platform, "bare", options.conversations, { progress: print });
    const troupes: SoakRun[] = [];
    for (const store of options.stores)
      troupes.push(
        await soakSide(platform, `troupe ${store}`, options.conversations, {
          snapshots: options.snapshots,
          progress: print,
        }),
      );
    for (const line of formatSoak(platform, bare, troupes)) print(line);
  }
}
