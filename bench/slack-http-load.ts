/**
 * Slack HTTP mode under load, troupe beside the bare Bolt app (bench/bare-bolt-app.ts) in one run:
 * a load generator sends signed `app_mention` events, 32 in flight, each in a channel of its own
 * with its own event_id, to one process at a time (one after the other, never together: the two
 * would share the machine's cores), and both answer every mention from the fake Ollama's instant
 * echo. Per side: a warm-up (answered, not counted), then a fixed number of events timed.
 *
 * - acked per second: events whose POST got a 2xx, first send → last acknowledgement;
 * - CPU per acked event: utime + stime of the child's whole process group (read from
 *   /proc/<pid>/stat, so `npm`/`tsx` wrappers count too), from just before the first send to the
 *   moment every one of those events has been answered, divided by the events acked. Answers are
 *   included on both sides: acking is not answering, and the answering work competes for the same
 *   cores as the acks.
 *
 * troupe runs as a user starts it (`npm start`), with its default store (SQLite, a temp file) and
 * its default log level (info, JSON on stderr); the bare app as its header says. The instant model
 * makes this a burst far beyond what the SQLite store serves (each write about 0.1–0.3 ms, one
 * connection, several per event): its operations then time out and troupe answers without memory,
 * telling each person so; the figures say when that happened.
 */
import { readdirSync, readFileSync } from "node:fs";
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
/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

export interface LoadSide {
  eventsAckedPerSecond: number;
  /** Milliseconds of CPU (user + system) per acked event, answers included. */
  cpuMsPerEvent: number;
  refused: number;
  /**
   * Ephemeral notices posted while measured: troupe tells a person when its store did not answer
   * in time (no memory for this answer); the bare app has no store. Non-zero means the store fell
   * behind the burst, and that side's work per event was not the usual.
   */
  notices: number;
}

export interface SlackLoadFigures {
  events: number;
  bare: LoadSide;
  troupe: LoadSide;
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

/** Sends, waits until every event is answered (a post in its channel), and measures. */
async function measure(
  fake: FakeSlack,
  child: BenchChild,
  url: string,
  events: SignedEvent[],
): Promise<LoadSide> {
  const before = fake.calls("chat.postMessage").length;
  const noticesBefore = fake.calls("chat.postEphemeral").length;
  const cpuBefore = groupCpuMs(child.pid);
  const { acked, elapsedMs } = await sendAll(url, events);
  const answered = await pollUntil(
    () => fake.calls("chat.postMessage").length >= before + acked,
    5 * 60_000,
    20,
  );
  if (!answered) throw new Error(`${child.name}: not every acked event was answered`);
  const cpuMs = groupCpuMs(child.pid) - cpuBefore;
  return {
    eventsAckedPerSecond: Math.round((acked / elapsedMs) * 1000),
    cpuMsPerEvent: Math.round((cpuMs / Math.max(1, acked)) * 100) / 100,
    refused: events.length - acked,
    notices: fake.calls("chat.postEphemeral").length - noticesBefore,
  };
}

async function runSide(
  name: "bare" | "troupe",
  events: number,
  warmUp: number,
  profileDir: string | undefined,
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
      child = startTsxChild("bare Bolt app", "bench/bare-bolt-app.ts", env);
      await child.waitForOutput("ready", 60_000);
    } else {
      const troupeEnv = {
        ...env,
        STORE_URL: `sqlite://${join(dataDir, "troupe.sqlite")}`,
        MODEL_PROVIDER: "ollama",
        PLATFORM_RETRY_SECONDS: "0",
      };
      child =
        profileDir === undefined
          ? startTroupeChild("troupe", troupeEnv)
          : startChild(
              "troupe (profiled)",
              process.execPath,
              ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--import", "tsx", "src/main.ts"],
              troupeEnv,
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

export async function benchSlackLoad(
  options: { events?: number; warmUp?: number; troupeProfileDir?: string } = {},
): Promise<SlackLoadFigures> {
  const events = options.events ?? 3_000;
  const warmUp = options.warmUp ?? 500;
  const bare = await runSide("bare", events, warmUp, undefined);
  const troupe = await runSide("troupe", events, warmUp, options.troupeProfileDir);
  return { events, bare, troupe };
}

const ratio = (troupe: number, bare: number) => `${(troupe / bare).toFixed(2)}×`;

export function formatSlackLoad(figures: SlackLoadFigures): string[] {
  const { bare, troupe } = figures;
  return [
    `slack HTTP load, ${figures.events} app_mention events after a warm-up, ${LOAD_IN_FLIGHT} in flight, instant model, troupe on SQLite (answers included in CPU):`,
    "  figure | bare | troupe | ratio",
    `  Slack HTTP events acked/s at concurrency ${LOAD_IN_FLIGHT} | ${bare.eventsAckedPerSecond} | ${troupe.eventsAckedPerSecond} | ${ratio(troupe.eventsAckedPerSecond, bare.eventsAckedPerSecond)}`,
    `  CPU per acked event | ${bare.cpuMsPerEvent} ms | ${troupe.cpuMsPerEvent} ms | ${ratio(troupe.cpuMsPerEvent, bare.cpuMsPerEvent)}`,
    ...(troupe.notices > 0
      ? [
          `  troupe's store fell behind: ${troupe.notices} "store unavailable" notices posted for ${figures.events} events`,
        ]
      : []),
    ...(bare.refused + troupe.refused > 0
      ? [`  not acknowledged: bare ${bare.refused}, troupe ${troupe.refused}`]
      : []),
  ];
}
