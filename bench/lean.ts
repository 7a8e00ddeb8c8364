/**
 * `npm run bench -- lean`: start-up and memory, troupe (`npm start`, as the README says) beside the
 * bare bots (bench/bare-*.ts), both real child processes against the same loopback fakes:
 * - spawn → connected, median of several runs: the fake Discord receiving IDENTIFY, the fake Slack
 *   opening a Socket Mode connection, the Slack HTTP port accepting a TCP connection;
 * - RSS of the bot's own process (troupe's `node`, not npm's) idle a moment after connecting;
 * - RSS after 2,000 Slack HTTP conversations × 3 exchanges (signed app_mention events, instant model);
 * - a soak of 10,000 Slack HTTP conversations: RSS at 1,000 and at 10,000 (the growth between).
 * `npm run bench -- start` takes the first two alone (a few minutes, where the traffic and the soak
 * take much longer): the group to run while working on start-up or idle memory.
 * The bare bots run the way a user runs such a bot: plain `node` on JavaScript, compiled here from
 * their TypeScript (transpile only) into dist/bench/, so neither side pays for a loader. Start is
 * taken both ways: beside `node bare.js`, and beside the bare bot's own `npm start` (a package.json
 * in dist/bench/ whose start script is `exec node bare.js`), since npm itself costs 0.3–0.5 s here
 * that troupe's `npm start` pays and `node bare.js` does not.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { startFakeDiscord } from "../tests/fakes/fake-discord/fake-discord.js";
import { startFakeOllama } from "../tests/fakes/fake-ollama.js";
import { type FakeSlack, startFakeSlack } from "../tests/fakes/fake-slack/fake-slack.js";
import { eventCallback, messageEvent } from "../tests/fakes/fake-slack/payloads.js";
import { sendSignedRaw } from "../tests/fakes/fake-slack/signed-requests.js";
import { freePort } from "../tests/helpers/redis-server.js";
import { compileBareBot } from "./bare-compile.js";
import {
  type BenchChild,
  botProcess,
  makeTempDir,
  pollUntil,
  portAccepts,
  removeTempDir,
  startChild,
  startTroupeChild,
} from "./children.js";

export type Platform = "discord" | "slack-socket" | "slack-http";
export type Side = "bare" | "troupe";
/** How a start is taken: the bare bot by `node` or by its own `npm start`, troupe by `npm start`. */
export type Starter = Side | "bare-npm";

const START_RUNS = 5;
/** How long a bot sits after connecting before its idle RSS is read. */
const IDLE_MS = 2_000;
export const CONVERSATIONS = 2_000;
export const EXCHANGES = 3;
export const SOAK_CONVERSATIONS = 10_000;
export const SOAK_MARK = 1_000;
const IN_FLIGHT = 32;
const SIGNING_SECRET = "bench-signing-secret-0123456789";

/** Resident set size of one process, in bytes (Linux /proc). */
function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

interface World {
  env: Record<string, string>;
  connected(): boolean;
  slack?: FakeSlack;
  httpUrl?: string;
  close(): Promise<void>;
}

export async function startWorld(platform: Platform): Promise<World> {
  const ollama = await startFakeOllama();
  if (platform === "discord") {
    const discord = await startFakeDiscord();
    return {
      env: { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, OLLAMA_HOST: ollama.host },
      connected: () => discord.gateway.identifies.length > 0,
      async close() {
        await discord.close();
        await ollama.close();
      },
    };
  }
  const slack = await startFakeSlack();
  const base = {
    SLACK_BOT_TOKEN: slack.identity.botToken,
    SLACK_API_URL: slack.apiUrl,
    OLLAMA_HOST: ollama.host,
  };
  const close = async () => {
    await slack.close();
    await ollama.close();
  };
  if (platform === "slack-socket") {
    return {
      env: { ...base, SLACK_APP_TOKEN: slack.identity.appToken },
      connected: () => slack.socket.connectionsOpened > 0,
      slack,
      close,
    };
  }
  const port = await freePort();
  let accepting = false;
  let probing = false;
  return {
    env: { ...base, SLACK_SIGNING_SECRET: SIGNING_SECRET, PORT: String(port) },
    connected: () => {
      if (!accepting && !probing) {
        probing = true;
        void portAccepts(port).then((yes) => {
          accepting ||= yes;
          probing = false;
        });
      }
      return accepting;
    },
    slack,
    httpUrl: `http://127.0.0.1:${port}/slack/events`,
    close,
  };
}

export function startBot(
  side: Starter,
  platform: Platform,
  env: Record<string, string>,
  dataDir: string,
): BenchChild {
  if (side === "troupe") {
    return startTroupeChild("troupe", {
      ...env,
      MODEL_PROVIDER: "ollama",
      STORE_URL: `sqlite://${join(dataDir, "troupe.sqlite")}`,
      PLATFORM_RETRY_SECONDS: "0",
      LOG_LEVEL: "warn",
    });
  }
  const bot = platform === "discord" ? "bare-discord-bot" : "bare-bolt-app";
  const file = compileBareBot(bot);
  if (side === "bare-npm") {
    return startChild(
      `bare ${platform}`,
      "npm",
      ["start", "--silent", "--prefix", bareNpmPackage(bot, file)],
      env,
    );
  }
  return startChild(`bare ${platform}`, process.execPath, [file], env);
}

/** dist/bench/<bot>-npm/: a package whose `npm start` is `exec node <bot>.js`, as troupe's is. */
function bareNpmPackage(bot: string, file: string): string {
  const dir = join(dirname(file), `${bot}-npm`);
  mkdirSync(dir, { recursive: true });
  const start = `exec node ${JSON.stringify(file)}`;
  writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, scripts: { start } }));
  return dir;
}

interface Run {
  connectMs: number;
  idleRss?: number;
}

/** One start: spawn → connected (polled every 5 ms), then the idle RSS after IDLE_MS. */
async function startOnce(side: Starter, platform: Platform): Promise<Run> {
  const world = await startWorld(platform);
  const dataDir = makeTempDir("troupe-lean-");
  const started = performance.now();
  const bot = startBot(side, platform, world.env, dataDir);
  try {
    const connected = await pollUntil(() => world.connected() || bot.exited(), 60_000, 5);
    const connectMs = performance.now() - started;
    if (!connected || bot.exited())
      throw new Error(`${side} ${platform} never connected: ${bot.stderr().slice(-400)}`);
    await delay(IDLE_MS);
    return { connectMs, idleRss: rssOf(botProcess(bot.pid)) };
  } finally {
    await bot.stop();
    await world.close();
    removeTempDir(dataDir);
  }
}

export interface StartFigures {
  /** spawn → connected, one entry per run. */
  connectMs: Record<Starter, number[]>;
  /** Idle RSS of the bot's own process, one entry per run (`node` and `npm start` alike). */
  idleRss: Record<Side, number[]>;
}

/**
 * `runs` starts of each way, taken in turn (bare by node, bare by npm start, troupe) so all meet the
 * same load on a shared machine; every run also reads its idle RSS (the bare bot's from both ways).
 */
export async function benchStart(platform: Platform, runs = START_RUNS): Promise<StartFigures> {
  const figures: StartFigures = {
    connectMs: { bare: [], "bare-npm": [], troupe: [] },
    idleRss: { bare: [], troupe: [] },
  };
  for (let run = 0; run < runs; run++) {
    for (const starter of ["bare", "bare-npm", "troupe"] as const) {
      const result = await startOnce(starter, platform);
      figures.connectMs[starter].push(result.connectMs);
      if (result.idleRss !== undefined)
        figures.idleRss[starter === "troupe" ? "troupe" : "bare"].push(result.idleRss);
    }
  }
  return figures;
}

const pad = (value: number, width: number) => String(value).padStart(width, "0");

/** The signed body of one app_mention: conversation `thread`, exchange `exchange`. */
function mentionBody(slack: FakeSlack, serial: number, thread: number, exchange: number): string {
  const { teamId, botUserId } = slack.identity;
  const identity = { botToken: "", appToken: "", teamId, botUserId, botId: "", botName: "" };
  const event = messageEvent({
    type: "app_mention",
    channel: `CLEAN${pad(thread % 100, 4)}`,
    user: "ULEAN0001",
    text: `<@${botUserId}> question ${exchange} in conversation ${thread}`,
    ts: `1700200000.${pad(serial, 7)}`,
    threadTs: `1700100000.${pad(thread, 6)}`,
  });
  return JSON.stringify(eventCallback(identity, event, `EvLEAN${pad(serial, 8)}`));
}

/**
 * Sends conversations [from, to) × `exchanges`, IN_FLIGHT at a time, exchange after exchange (a
 * conversation's next question only after its previous was answered, as people do), and waits
 * until every one is answered on the fake Slack (or 120 s passed): returns how many never were.
 */
export async function converse(
  slack: FakeSlack,
  url: string,
  from: number,
  to: number,
  exchanges: number,
  serialBase: number,
): Promise<number> {
  let unanswered = 0;
  for (let exchange = 0; exchange < exchanges; exchange++) {
    const before = slack.calls("chat.postMessage").length;
    let next = from;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let thread = next++; thread < to; thread = next++) {
          const serial = serialBase + exchange * (to - from) + (thread - from);
          await sendSignedRaw(url, mentionBody(slack, serial, thread, exchange), "application/json", {
            secret: SIGNING_SECRET,
          }).catch(() => undefined);
        }
      }),
    );
    const expected = before + (to - from);
    await pollUntil(() => slack.calls("chat.postMessage").length >= expected, 120_000, 50);
    unanswered += Math.max(0, expected - slack.calls("chat.postMessage").length);
  }
  return unanswered;
}

/** Lets timers and the collector settle a moment, so the reading is the process at rest. */
async function settledRss(bot: BenchChild): Promise<number | undefined> {
  await delay(1_500);
  return rssOf(botProcess(bot.pid));
}

export interface TrafficFigures {
  idleRss?: number;
  afterTrafficRss?: number;
  soakAtMark?: number;
  soakAtEnd?: number;
  /** Questions whose answer never reached the fake Slack within 120 s of their round. */
  unanswered: number;
}

/** One Slack HTTP bot: 2,000 conversations × 3 exchanges, then (`soak`) on to 10,000 conversations of one exchange. */
export async function benchTraffic(side: Side, soak: boolean): Promise<TrafficFigures> {
  const world = await startWorld("slack-http");
  const dataDir = makeTempDir("troupe-lean-");
  const bot = startBot(side, "slack-http", world.env, dataDir);
  const slack = world.slack;
  const url = world.httpUrl;
  try {
    if (slack === undefined || url === undefined) throw new Error("no fake Slack");
    slack.addUser({ id: "ULEAN0001", name: "lena", displayName: "Lena" });
    const connected = await pollUntil(() => world.connected() || bot.exited(), 60_000, 20);
    if (!connected || bot.exited()) throw new Error(`${side} never accepted: ${bot.stderr().slice(-400)}`);
    const figures: TrafficFigures = { idleRss: await settledRss(bot), unanswered: 0 };
    figures.unanswered += await converse(slack, url, 0, CONVERSATIONS, EXCHANGES, 0);
    figures.afterTrafficRss = await settledRss(bot);
    if (!soak) return figures;
    const serialBase = CONVERSATIONS * EXCHANGES;
    // The soak's conversations are new ones, numbered after the 2,000 above.
    const first = CONVERSATIONS;
    figures.unanswered += await converse(slack, url, first, first + SOAK_MARK, 1, serialBase);
    figures.soakAtMark = await settledRss(bot);
    figures.unanswered += await converse(
      slack,
      url,
      first + SOAK_MARK,
      first + SOAK_CONVERSATIONS,
      1,
      serialBase + SOAK_MARK,
    );
    figures.soakAtEnd = await settledRss(bot);
    return figures;
  } finally {
    await bot.stop();
    await world.close();
    removeTempDir(dataDir);
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

async function attempt<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: text.split("\n")[0]?.slice(0, 300) ?? "unknown" };
  }
}

const median = (values: number[]): number | undefined =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number | undefined) => (ms === undefined ? "—" : `${(ms / 1000).toFixed(2)} s`);
const megabytes = (bytes: number | undefined) =>
  bytes === undefined ? "—" : `${Math.round(bytes / 1024 / 1024)} MB`;
function ratio(troupe: number | undefined, bare: number | undefined): string {
  if (troupe === undefined || bare === undefined || bare <= 0) return "—";
  return `${(troupe / bare).toFixed(2)}×`;
}

type Row = [figure: string, bare: string, troupe: string, ratio: string];

function table(rows: Row[]): string[] {
  const all: Row[] = [["figure", "bare", "troupe", "ratio"], ...rows];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...all.map((row) => row[column]?.length ?? 0)));
  return all.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join(" | "),
  );
}

const PLATFORM_LABEL: Record<Platform, string> = {
  discord: "spawn → Discord gateway IDENTIFY",
  "slack-socket": "spawn → Slack Socket Mode open",
  "slack-http": "spawn → Slack HTTP port accepting",
};
const IDLE_LABEL: Record<Platform, string> = {
  discord: "RSS idle, Discord",
  "slack-socket": "RSS idle, Slack socket",
  "slack-http": "RSS idle, Slack HTTP",
};

/**
 * The lean group: every start and memory figure, bare beside troupe, one table; `traffic: false`
 * (the start group) stops after start and idle RSS.
 */
export async function benchLean(
  print: (line: string) => void,
  { traffic = true }: { traffic?: boolean } = {},
): Promise<void> {
  print(
    `${traffic ? "lean" : "start"}: start and idle RSS (median of ${START_RUNS} runs each, taken in turn)` +
      `${traffic ? " and memory under traffic" : ""}; troupe by \`npm start\`; ` +
      "the bare bots on their compiled JavaScript by `node`, and for start also by `npm start`",
  );
  const startRows: Row[] = [];
  const idleRows: Row[] = [];
  const notes: string[] = [];
  for (const platform of ["discord", "slack-socket", "slack-http"] as const) {
    const outcome = await attempt(() => benchStart(platform));
    if (!outcome.ok) {
      notes.push(`  ${platform}: could not run: ${outcome.reason}`);
      continue;
    }
    const { connectMs, idleRss } = outcome.value;
    const troupe = median(connectMs.troupe);
    for (const [starter, how] of [
      ["bare", "bare by node"],
      ["bare-npm", "bare by npm start"],
    ] as const) {
      const bare = median(connectMs[starter]);
      startRows.push([
        `${PLATFORM_LABEL[platform]} (${how})`,
        seconds(bare),
        seconds(troupe),
        ratio(troupe, bare),
      ]);
    }
    const bareIdle = median(idleRss.bare);
    const troupeIdle = median(idleRss.troupe);
    idleRows.push([
      IDLE_LABEL[platform],
      megabytes(bareIdle),
      megabytes(troupeIdle),
      ratio(troupeIdle, bareIdle),
    ]);
  }
  if (!traffic) {
    for (const line of table([...startRows, ...idleRows])) print(line);
    for (const note of notes) print(note);
    return;
  }
  const bareTraffic = await attempt(() => benchTraffic("bare", true));
  const troupeTraffic = await attempt(() => benchTraffic("troupe", true));
  for (const [side, outcome] of [
    ["bare", bareTraffic],
    ["troupe", troupeTraffic],
  ] as const) {
    if (!outcome.ok) notes.push(`  traffic, ${side}: could not run: ${outcome.reason}`);
    else if (outcome.value.unanswered > 0)
      notes.push(`  traffic, ${side}: ${outcome.value.unanswered} questions never answered within 120 s`);
  }
  const bare: Partial<TrafficFigures> = bareTraffic.ok ? bareTraffic.value : {};
  const troupe: Partial<TrafficFigures> = troupeTraffic.ok ? troupeTraffic.value : {};
  const growth = (figures: Partial<TrafficFigures>) =>
    figures.soakAtEnd === undefined || figures.soakAtMark === undefined
      ? undefined
      : figures.soakAtEnd - figures.soakAtMark;
  const signed = (bytes: number | undefined) =>
    bytes === undefined ? "—" : `${bytes >= 0 ? "+" : "−"}${megabytes(Math.abs(bytes))}`;
  const trafficRows: Row[] = [
    [
      `RSS after ${CONVERSATIONS.toLocaleString("en")} conversations × ${EXCHANGES} exchanges, Slack HTTP`,
      megabytes(bare.afterTrafficRss),
      megabytes(troupe.afterTrafficRss),
      ratio(troupe.afterTrafficRss, bare.afterTrafficRss),
    ],
    [
      `soak: RSS at ${SOAK_MARK.toLocaleString("en")} more conversations`,
      megabytes(bare.soakAtMark),
      megabytes(troupe.soakAtMark),
      ratio(troupe.soakAtMark, bare.soakAtMark),
    ],
    [
      `soak: RSS at ${SOAK_CONVERSATIONS.toLocaleString("en")}`,
      megabytes(bare.soakAtEnd),
      megabytes(troupe.soakAtEnd),
      ratio(troupe.soakAtEnd, bare.soakAtEnd),
    ],
    [
      `soak: growth ${SOAK_MARK.toLocaleString("en")} → ${SOAK_CONVERSATIONS.toLocaleString("en")}`,
      signed(growth(bare)),
      signed(growth(troupe)),
      "",
    ],
  ];
  for (const line of table([...startRows, ...idleRows, ...trafficRows])) print(line);
  print(
    `  traffic: signed app_mention events, ${IN_FLIGHT} in flight, instant model (fake Ollama), troupe on SQLite; ` +
      "each conversation is a thread, a conversation's next question once its answer is in.",
  );
  for (const note of notes) print(note);
}
