/**
 * Slack HTTP mode under load, troupe beside the bare Bolt app (bench/bare-bolt-app.ts): a load
 * generator sends signed `app_mention` events, 32 in flight, each in a channel of its own with its
 * own event_id, to one process at a time (never two together: they would share the machine's
 * cores), and every side answers every mention from the fake Ollama's instant echo with one
 * chat.postMessage (the figures list each side's Web API calls per event, so a difference shows).
 * Sides: the bare app, troupe on memory://, troupe on sqlite:// (a temp file). Per side: a warm-up
 * (answered, not counted), then a fixed number of events timed. Rounds take the sides in turn, each
 * round starting one side later, so on a shared machine every side sees the same load; medians.
 *
 * - acked per second: events whose POST got a 2xx, first send → last acknowledgement;
 * - CPU per acked event: utime + stime of the child's whole process group (read from
 *   /proc/<pid>/stat, so `npm`/`tsx` wrappers count too), from just before the first send to the
 *   moment every one of those events has been answered, divided by the events acked. Answers are
 *   included on both sides: acking is not answering, and the answering work competes for the same
 *   cores as the acks. CPU time, not wall time: other work on the machine barely moves it.
 *
 * troupe runs as a user starts it (`npm start`), at its default log level (info, JSON on stderr);
 * the bare app as its header says. Both ack an event before answering it, so with an instant model
 * the events waiting inside a process are far more than 32; troupe posts an ephemeral notice when
 * its store did not answer in time (answered without memory), and the figures say how many.
 * bench/profile-slack-load.ts runs one round under `node --cpu-prof`.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { startFakeOllama } from "../tests/fakes/fake-ollama.js";
import { type FakeSlack, startFakeSlack } from "../tests/fakes/fake-slack/fake-slack.js";
import { eventCallback, messageEvent } from "../tests/fakes/fake-slack/payloads.js";
import { signature } from "../tests/fakes/fake-slack/signed-requests.js";
import { freePort } from "../tests/helpers/redis-server.js";
import {
  type BenchChild,
  makeTempDir,
  pollUntil,
  removeTempDir,
  startChild,
  startTroupeChild,
  startTsxChild,
} from "./children.js";

export const LOAD_IN_FLIGHT = 32;
const SIGNING_SECRET = "bench-signing-secret-0123456789";
/** No answer posted for this long: the ones still missing are counted as unanswered. */
const STALL_MS = 15_000;
/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

export interface LoadSide {
  eventsAckedPerSecond: number;
  /** Milliseconds of CPU (user + system) per acked event, answers included. */
  cpuMsPerEvent: number;
  refused: number;
  /** Acked but never answered (the process logged why on its stderr). */
  unanswered: number;
  /**
   * Ephemeral notices posted while measured: troupe tells a person when its store did not answer
   * in time (no memory for this answer); the bare app has no store. Non-zero means the store fell
   * behind the burst, and that side's work per event was not the usual.
   */
  notices: number;
  /** Web API calls per acked event, by method: what each side asks of Slack to answer. */
  callsPerEvent: Record<string, number>;
}

/** utime + stime of every live process in the group `pgid`, in milliseconds. */
function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(join("/proc", entry, "stat"), "utf8");
    } catch {
      continue;
    }
    // Fields after the command name (which may hold spaces): state, ppid, pgrp, … utime, stime.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

interface SignedEvent {
  body: string;
}

function buildEvents(fake: FakeSlack, prefix: string, count: number): SignedEvent[] {
  const { teamId, botUserId } = fake.identity;
  const identity = { ...fake.identity, teamId, botUserId };
  return Array.from({ length: count }, (_, index) => {
    const id = `${prefix}${String(index).padStart(6, "0")}`;
    const event = messageEvent({
      type: "app_mention",
      channel: `C${id}`,
      user: "UADA00001",
      text: `<@${botUserId}> ${id} hello there`,
      ts: `1700200000.${String(index).padStart(6, "0")}`,
    });
    return { body: JSON.stringify(eventCallback(identity, event, `Ev${id}`)) };
  });
}

/** Posts every event, `LOAD_IN_FLIGHT` at a time over kept-alive connections; counts 2xx answers. */
async function sendAll(url: string, events: SignedEvent[]): Promise<{ acked: number; elapsedMs: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: LOAD_IN_FLIGHT });
  const target = new URL(url);
  const post = (body: string) =>
    new Promise<number>((resolve) => {
      const timestamp = Math.floor(Date.now() / 1000);
      const sent = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            "x-slack-request-timestamp": String(timestamp),
            "x-slack-signature": signature(SIGNING_SECRET, timestamp, body),
          },
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        },
      );
      sent.on("error", () => resolve(0));
      sent.end(body);
    });
  let next = 0;
  let acked = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: LOAD_IN_FLIGHT }, async () => {
      for (let event = events[next++]; event !== undefined; event = events[next++]) {
        const status = await post(event.body);
        if (status >= 200 && status < 300) acked++;
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { acked, elapsedMs };
}

function countPerEvent(methods: string[], events: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const method of methods) counts[method] = (counts[method] ?? 0) + 1;
  for (const method of Object.keys(counts))
    counts[method] = Math.round(((counts[method] ?? 0) / Math.max(1, events)) * 100) / 100;
  return counts;
}

/** Sends, waits until every event is answered (a post in its channel), and measures. */
async function measure(
  fake: FakeSlack,
  child: BenchChild,
  url: string,
  events: SignedEvent[],
): Promise<LoadSide> {
  const before = fake.calls("chat.postMessage").length;
  const noticesBefore = fake.calls("chat.postEphemeral").length;
  const callsBefore = fake.calls().length;
  const cpuBefore = groupCpuMs(child.pid);
  const { acked, elapsedMs } = await sendAll(url, events);
  // Until every acked event is answered, or nothing more was posted for a while (an answer that
  // failed: the bare app logs it and posts nothing), so one lost answer does not stall the bench.
  const posted = () => fake.calls("chat.postMessage").length - before;
  for (let last = -1; posted() < acked && posted() !== last; ) {
    last = posted();
    await pollUntil(() => posted() >= acked, STALL_MS, 20);
  }
  const cpuMs = groupCpuMs(child.pid) - cpuBefore;
  return {
    eventsAckedPerSecond: Math.round((acked / elapsedMs) * 1000),
    cpuMsPerEvent: Math.round((cpuMs / Math.max(1, acked)) * 100) / 100,
    refused: events.length - acked,
    unanswered: Math.max(0, acked - posted()),
    notices: fake.calls("chat.postEphemeral").length - noticesBefore,
    callsPerEvent: countPerEvent(
      fake
        .calls()
        .slice(callsBefore)
        .map((call) => call.method),
      acked,
    ),
  };
}

/**
 * `node --cpu-prof`, `--heap-prof` (live objects at exit), or every sampled allocation (the child
 * gets ALLOC_PROFILE_DIR in its environment).
 */
export type ProfileKind = "cpu-prof" | "heap-prof" | "alloc";

function profileArgs(kind: ProfileKind, dir: string): string[] {
  if (kind !== "alloc") return [`--${kind}`, `--${kind}-dir=${dir}`];
  return ["--import", "./bench/alloc-profile-preload.mjs"];
}

/**
 * Which process a round measures: the bare Bolt app, or troupe over one of its stores; `plain` is
 * troupe on memory:// answering as a one-line persona (no examples, no reminder): the bare app
 * sends the model only the mention, troupe a persona's kilobytes of prompt with every question, and
 * this side says how much of the difference that is.
 */
export type LoadSideName = "bare" | "memory" | "sqlite" | "plain";

/** A folder with one persona, `tutor` (the default), whose whole prompt is one line. */
function plainPersonaDir(dataDir: string): string {
  writeFileSync(join(dataDir, "tutor.md"), "---\ndisplay_name: Tutor\n---\nYou are a helpful tutor.\n");
  return dataDir;
}

async function runSide(
  name: LoadSideName,
  events: number,
  warmUp: number,
  profileDir: string | undefined,
  profileFlag: ProfileKind,
): Promise<LoadSide> {
  const fake = await startFakeSlack();
  const ollama = await startFakeOllama();
  const dataDir = makeTempDir("troupe-slack-load-");
  let child: BenchChild | undefined;
  try {
    fake.addUser({ id: "UADA00001", name: "ada", displayName: "Ada" });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/slack/events`;
    const env = {
      SLACK_BOT_TOKEN: fake.identity.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: String(port),
      OLLAMA_HOST: ollama.host,
    };
    if (name === "bare") {
      child =
        profileDir === undefined
          ? startTsxChild("bare Bolt app", "bench/bare-bolt-app.ts", env)
          : startChild(
              "bare Bolt app (profiled)",
              process.execPath,
              [
                ...profileArgs(profileFlag, join(profileDir, "bare")),
                "--import",
                "tsx",
                "bench/bare-bolt-app.ts",
              ],
              { ...env, ALLOC_PROFILE_DIR: join(profileDir, "bare") },
            );
      await child.waitForOutput("ready", 60_000);
    } else {
      const troupeEnv = {
        ...env,
        STORE_URL: name === "sqlite" ? `sqlite://${join(dataDir, "troupe.sqlite")}` : "memory://",
        ...(name === "plain" ? { PERSONAS_DIR: plainPersonaDir(dataDir) } : {}),
        MODEL_PROVIDER: "ollama",
        PLATFORM_RETRY_SECONDS: "0",
      };
      child =
        profileDir === undefined
          ? startTroupeChild(`troupe (${name})`, troupeEnv)
          : startChild(
              `troupe (${name}, profiled)`,
              process.execPath,
              [...profileArgs(profileFlag, join(profileDir, name)), "--import", "tsx", "src/main.ts"],
              { ...troupeEnv, ALLOC_PROFILE_DIR: join(profileDir, name) },
            );
      await child.waitForOutput('"msg":"ready"', 60_000);
    }
    await measure(fake, child, url, buildEvents(fake, "WARM", warmUp));
    return await measure(fake, child, url, buildEvents(fake, "LOAD", events));
  } finally {
    await child?.stop();
    await fake.close();
    await ollama.close();
    removeTempDir(dataDir);
  }
}

export interface SlackLoadFigures {
  events: number;
  rounds: number;
  /** Every round's figures per side, in the order taken. */
  sides: Map<LoadSideName, LoadSide[]>;
}

/**
 * `rounds` rounds; each runs every side once, one after the other, starting one side later than
 * the round before, so each side sees the shared machine's load as the others do.
 */
export async function benchSlackLoad(
  options: {
    events?: number;
    warmUp?: number;
    rounds?: number;
    sides?: LoadSideName[];
    /** Set: every side runs under `node --cpu-prof`, its profile in `<profileDir>/<side>/`. */
    profileDir?: string;
    /** With `profileDir`: what to profile (CPU by default). */
    profileKind?: ProfileKind;
  } = {},
): Promise<SlackLoadFigures> {
  const events = options.events ?? 3_000;
  const warmUp = options.warmUp ?? 500;
  const rounds = options.rounds ?? 3;
  const names = options.sides ?? ["bare", "memory", "sqlite"];
  const sides = new Map<LoadSideName, LoadSide[]>(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let step = 0; step < names.length; step++) {
      const name = names[(round + step) % names.length] as LoadSideName;
      sides
        .get(name)
        ?.push(await runSide(name, events, warmUp, options.profileDir, options.profileKind ?? "cpu-prof"));
    }
  }
  return { events, rounds, sides };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const ratio = (troupe: number, bare: number) => `${(troupe / bare).toFixed(2)}×`;
const round2 = (value: number) => Math.round(value * 100) / 100;

export function formatSlackLoad(figures: SlackLoadFigures): string[] {
  const bare = figures.sides.get("bare") ?? [];
  const lines = [
    `slack HTTP load, ${figures.events} app_mention events after a warm-up, ${LOAD_IN_FLIGHT} in flight, instant model, ${figures.rounds} rounds (sides in turn), medians; CPU includes the answers:`,
    "  side | events acked/s | CPU per acked event | vs bare (acked/s, CPU) | every round's CPU ms/event",
  ];
  const bareAcked = median(bare.map((side) => side.eventsAckedPerSecond));
  const bareCpu = median(bare.map((side) => side.cpuMsPerEvent));
  for (const [name, runs] of figures.sides) {
    const acked = median(runs.map((side) => side.eventsAckedPerSecond));
    const cpu = round2(median(runs.map((side) => side.cpuMsPerEvent)));
    const label = {
      bare: "bare Bolt app",
      memory: "troupe, memory://",
      sqlite: "troupe, sqlite://",
      plain: "troupe, memory://, a one-line persona",
    }[name];
    const versus =
      name === "bare" || bare.length === 0 ? "" : `${ratio(acked, bareAcked)}, ${ratio(cpu, bareCpu)}`;
    lines.push(
      `  ${label} | ${Math.round(acked)} | ${cpu} ms | ${versus} | ${runs.map((side) => side.cpuMsPerEvent).join(", ")}`,
    );
    const calls = runs.at(-1)?.callsPerEvent ?? {};
    lines.push(
      `    Web API calls per event: ${Object.entries(calls)
        .map(([method, count]) => `${method} ${count}`)
        .join(", ")}`,
    );
    const notices = runs.reduce((sum, side) => sum + side.notices, 0);
    if (notices > 0)
      lines.push(
        `    its store fell behind: ${notices} "store unavailable" notices over ${runs.length} × ${figures.events} events`,
      );
    const refused = runs.reduce((sum, side) => sum + side.refused, 0);
    if (refused > 0) lines.push(`    not acknowledged: ${refused}`);
    const unanswered = runs.reduce((sum, side) => sum + side.unanswered, 0);
    if (unanswered > 0) lines.push(`    acknowledged but not answered: ${unanswered}`);
  }
  return lines;
}
