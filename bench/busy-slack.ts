/**
 * The busy Slack figures (c): three troupe instances (`npm start`, HTTP Events API) sharing one real
 * redis-server, and 1,000 signed `app_mention` events in 50 threads (10 channels, 5 people) sent to
 * them round-robin, 10% sent again to a different instance as Slack retries them (same event_id,
 * `X-Slack-Retry-Num: 1`). Counted on the fake Slack: events answered exactly once, extra answers,
 * events never answered; read back from Redis through the store: questions missing from the
 * histories; and events answered per second from the first send to the last answer. The same 1,000
 * events (no retries) go to one bare Bolt app (bench/bare-bolt-app.ts) for its throughput beside it.
 * The model is the fake Ollama's instant echo, so each answer names its question's marker.
 */
import { slackConversationId } from "../src/connectors/slack/slack-message-to-incoming.js";
import { createStore } from "../src/store/create-store.js";
import { startFakeOllama } from "../tests/fakes/fake-ollama.js";
import { type FakeSlack, startFakeSlack } from "../tests/fakes/fake-slack/fake-slack.js";
import { eventCallback, messageEvent } from "../tests/fakes/fake-slack/payloads.js";
import { sendSignedRaw } from "../tests/fakes/fake-slack/signed-requests.js";
import { freePort, startRedisServer } from "../tests/helpers/redis-server.js";
import { type BenchChild, pollUntil, startTroupeChild, startTsxChild, stopAll } from "./children.js";

export const SLACK_EVENTS = 1_000;
export const SLACK_INSTANCES = 3;
const CHANNELS = 10;
const THREADS_PER_CHANNEL = 5;
const RETRY_EVERY = 10;
/** How many places after its original a retry is sent (so the two are in flight together). */
const RETRY_LAG = 5;
const IN_FLIGHT = 16;
/** Stop waiting when no new answer arrived for this long. */
const STALL_MS = 20_000;
/** After the last expected answer, how long without any chat.* call counts as settled (late duplicates). */
const QUIET_MS = 1_500;
const SIGNING_SECRET = "bench-signing-secret-0123456789";
const PEOPLE = [
  { id: "UADA00001", name: "ada", displayName: "Ada" },
  { id: "UBOB00001", name: "bob", displayName: "Bob" },
  { id: "UCLEO0001", name: "cleo", displayName: "Cleo" },
  { id: "UDAN00001", name: "dan", displayName: "Dan" },
  { id: "UEVE00001", name: "eve", displayName: "Eve" },
];

export interface SlackAnswerCounts {
  answeredOnce: number;
  /** Answers beyond the first, summed over events. */
  duplicateAnswers: number;
  neverAnswered: number;
  /** Events answered per second, first send → last first-answer. */
  eventsPerSecond: number;
  /** Sends the instance did not acknowledge with a 2xx. */
  refusedSends: number;
}

export interface SlackBusyFigures extends SlackAnswerCounts {
  retriesSent: number;
  /** Questions missing from the histories in Redis. */
  turnsLost: number;
}

interface BusyEvent {
  marker: string;
  channel: string;
  rootTs: string;
  body: string;
}

interface Send {
  event: BusyEvent;
  instance: number;
  retry: boolean;
}

const pad = (value: number, width: number) => String(value).padStart(width, "0");

/** The same 1,000 events for both sides, built once (ids and timestamps fixed, markers q0000…q0999). */
function buildEvents(teamId: string, botUserId: string): BusyEvent[] {
  const identity = {
    botToken: "",
    appToken: "",
    teamId,
    botUserId,
    botId: "",
    botName: "",
  };
  return Array.from({ length: SLACK_EVENTS }, (_, index) => {
    const thread = index % (CHANNELS * THREADS_PER_CHANNEL);
    const channel = `CBUSY${pad(thread % CHANNELS, 4)}`;
    const rootTs = `1700000000.${pad(thread, 6)}`;
    const person = PEOPLE[index % PEOPLE.length]?.id ?? "";
    const marker = `q${pad(index, 4)}`;
    const event = messageEvent({
      type: "app_mention",
      channel,
      user: person,
      text: `<@${botUserId}> ${marker} how is it going?`,
      ts: `1700100000.${pad(index, 6)}`,
      threadTs: rootTs,
    });
    return {
      marker,
      channel,
      rootTs,
      body: JSON.stringify(eventCallback(identity, event, `EvBUSY${pad(index, 6)}`)),
    };
  });
}

/** A thread root for each of the 50 threads, as Slack's conversations.replies would return it. */
function seedThreads(fake: FakeSlack, events: BusyEvent[]): void {
  for (const person of PEOPLE) fake.addUser(person);
  const roots = new Map(events.map((event) => [`${event.channel}:${event.rootTs}`, event]));
  for (const event of roots.values()) {
    fake.seedThread(event.channel, event.rootTs, [
      { ts: event.rootTs, text: "Let us talk about the plan here.", user: PEOPLE[0]?.id },
    ]);
  }
}

/** Sends every request, `IN_FLIGHT` at a time; counts the ones not acknowledged with a 2xx. */
async function sendAll(sends: Send[], urls: string[]): Promise<number> {
  let next = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let send = sends[next++]; send !== undefined; send = sends[next++]) {
        const response = await sendSignedRaw(urls[send.instance] ?? "", send.event.body, "application/json", {
          secret: SIGNING_SECRET,
          ...(send.retry ? { retryNum: 1 } : {}),
        }).catch(() => ({ status: 0 }));
        if (response.status < 200 || response.status >= 300) refused++;
      }
    }),
  );
  return refused;
}

const MARKERS = /q\d{4}/g;

/** Per marker: how many of the bot's messages hold it now. */
function answerCounts(fake: FakeSlack): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of fake.state.messages.values()) {
    for (const [marker] of message.text.matchAll(MARKERS)) counts.set(marker, (counts.get(marker) ?? 0) + 1);
  }
  return counts;
}

/** Per marker: when the fake Slack first received a post or update holding it (performance.now()). */
function firstAnswerTimes(fake: FakeSlack): Map<string, number> {
  const times = new Map<string, number>();
  for (const call of fake.calls()) {
    if (call.method !== "chat.postMessage" && call.method !== "chat.update") continue;
    const text = typeof call.args.text === "string" ? call.args.text : "";
    for (const [marker] of text.matchAll(MARKERS)) if (!times.has(marker)) times.set(marker, call.at);
  }
  return times;
}

/** Sends, then waits until every event is answered and Slack has been quiet a moment (or progress stalls). */
async function sendAndCount(
  fake: FakeSlack,
  events: BusyEvent[],
  sends: Send[],
  urls: string[],
): Promise<SlackAnswerCounts> {
  const started = performance.now();
  const refusedSends = await sendAll(sends, urls);
  let answered = 0;
  let progressAt = Date.now();
  await pollUntil(
    () => {
      const count = answerCounts(fake).size;
      if (count > answered) [answered, progressAt] = [count, Date.now()];
      return count >= events.length || Date.now() - progressAt > STALL_MS;
    },
    10 * 60_000,
    100,
  );
  // Late duplicates still count: wait until no chat.* call arrived for a moment.
  await pollUntil(() => performance.now() - (fake.calls().at(-1)?.at ?? 0) > QUIET_MS, 30_000, 100);
  const counts = answerCounts(fake);
  const times = firstAnswerTimes(fake);
  const answerTimes = events.map((event) => times.get(event.marker)).filter((at) => at !== undefined);
  const lastAnswer = answerTimes.length === 0 ? started : Math.max(...answerTimes);
  let answeredOnce = 0;
  let duplicateAnswers = 0;
  for (const event of events) {
    const count = counts.get(event.marker) ?? 0;
    if (count === 1) answeredOnce++;
    if (count > 1) duplicateAnswers += count - 1;
  }
  const answeredEvents = events.filter((event) => counts.has(event.marker)).length;
  return {
    answeredOnce,
    duplicateAnswers,
    neverAnswered: events.length - answeredEvents,
    eventsPerSecond: Math.round((answeredEvents / Math.max(1, lastAnswer - started)) * 1000),
    refusedSends,
  };
}

/** One answered event per instance, in a channel of its own, before anything is timed. */
async function warmUp(fake: FakeSlack, urls: string[], teamId: string, botUserId: string): Promise<void> {
  const identity = { botToken: "", appToken: "", teamId, botUserId, botId: "", botName: "" };
  const before = fake.calls("chat.postMessage").length;
  await Promise.all(
    urls.map((url, index) =>
      sendSignedRaw(
        url,
        JSON.stringify(
          eventCallback(
            identity,
            messageEvent({
              type: "app_mention",
              channel: "CWARMUP01",
              user: PEOPLE[0]?.id ?? "",
              text: `<@${botUserId}> warm-up ${index}`,
              ts: `1699999999.${pad(index, 6)}`,
            }),
            `EvWARM${pad(index, 6)}`,
          ),
        ),
        "application/json",
        { secret: SIGNING_SECRET },
      ),
    ),
  );
  const warm = await pollUntil(() => fake.calls("chat.postMessage").length >= before + urls.length, 30_000);
  if (!warm) throw new Error("the warm-up events were never answered");
  await pollUntil(() => performance.now() - (fake.calls().at(-1)?.at ?? 0) > QUIET_MS, 10_000, 100);
}

/** Questions (by marker) missing from the histories the instances left in Redis. */
async function turnsLost(redisUrl: string, teamId: string, events: BusyEvent[]): Promise<number> {
  const store = await createStore(redisUrl, { historyTtlMs: 60 * 60_000, maxTurns: 100_000 });
  try {
    const stored = new Set<string>();
    const threads = new Map(events.map((event) => [`${event.channel}:${event.rootTs}`, event]));
    for (const event of threads.values()) {
      const history = await store.getHistory(slackConversationId(teamId, event.channel, event.rootTs));
      for (const turn of history) {
        if (turn.role !== "user") continue;
        for (const [marker] of turn.content.matchAll(MARKERS)) stored.add(marker);
      }
    }
    return events.filter((event) => !stored.has(event.marker)).length;
  } finally {
    await store.close();
  }
}

/** Troupe: three instances on one Redis, with Slack's retries sent to another instance. */
export async function benchSlackBusyTroupe(): Promise<SlackBusyFigures> {
  const fake = await startFakeSlack();
  const ollama = await startFakeOllama();
  const redis = await startRedisServer().catch(async (error: unknown) => {
    await fake.close();
    await ollama.close();
    throw error;
  });
  const instances: BenchChild[] = [];
  try {
    const { teamId, botUserId, botToken } = fake.identity;
    const events = buildEvents(teamId, botUserId);
    seedThreads(fake, events);
    const urls: string[] = [];
    for (let index = 0; index < SLACK_INSTANCES; index++) {
      const port = await freePort();
      urls.push(`http://127.0.0.1:${port}/slack/events`);
      instances.push(
        startTroupeChild(`troupe instance ${index + 1}`, {
          SLACK_BOT_TOKEN: botToken,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: fake.apiUrl,
          PORT: String(port),
          STORE_URL: redis.url,
          OLLAMA_HOST: ollama.host,
          MODEL_PROVIDER: "ollama",
          PLATFORM_RETRY_SECONDS: "0",
        }),
      );
    }
    await Promise.all(instances.map((instance) => instance.waitForOutput('"msg":"ready"', 60_000)));
    await warmUp(fake, urls, teamId, botUserId);

    const sends: Send[] = events.map((event, index) => ({
      event,
      instance: index % SLACK_INSTANCES,
      retry: false,
    }));
    // Walk backwards so each insertion leaves the positions still to visit unchanged.
    for (let index = events.length - 1; index >= 0; index--) {
      const event = events[index];
      if (event === undefined || index % RETRY_EVERY !== 0) continue;
      const retry = { event, instance: (index + 1) % SLACK_INSTANCES, retry: true };
      sends.splice(Math.min(sends.length, index + 1 + RETRY_LAG), 0, retry);
    }
    const counts = await sendAndCount(fake, events, sends, urls);
    return {
      ...counts,
      retriesSent: sends.length - events.length,
      turnsLost: await turnsLost(redis.url, teamId, events),
    };
  } finally {
    await stopAll(instances);
    await redis.stop();
    await fake.close();
    await ollama.close();
  }
}

/** The bare Bolt app: the same events, without retries, to one process. */
export async function benchSlackBusyBare(): Promise<SlackAnswerCounts> {
  const fake = await startFakeSlack();
  const ollama = await startFakeOllama();
  let app: BenchChild | undefined;
  try {
    const { teamId, botUserId, botToken } = fake.identity;
    const events = buildEvents(teamId, botUserId);
    seedThreads(fake, events);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/slack/events`;
    app = startTsxChild("bare Bolt app", "bench/bare-bolt-app.ts", {
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      PORT: String(port),
      OLLAMA_HOST: ollama.host,
    });
    await app.waitForOutput("ready", 60_000);
    await warmUp(fake, [url], teamId, botUserId);
    const sends = events.map((event) => ({ event, instance: 0, retry: false }));
    return await sendAndCount(fake, events, sends, [url]);
  } finally {
    await app?.stop();
    await fake.close();
    await ollama.close();
  }
}
