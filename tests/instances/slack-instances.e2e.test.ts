/**
 * Three real troupe processes (`node src/main.ts`) in Slack's HTTP mode on one real redis-server,
 * as behind a load balancer: every event and command is answered exactly once whichever instances
 * receive it (Slack's retries and the app_mention + message pair land on different instances), a
 * persona chosen or a conversation reset through one instance holds on the others, no turn is lost
 * when several people write at once through different instances, and one person's messages are
 * answered in order across instances. Each instance talks to its own fake Ollama, so a prompt shows
 * which instance answered and what history it saw.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slackConversationId } from "../../src/connectors/slack/slack-message-to-incoming.js";
import type { ConversationStore, Turn } from "../../src/store/conversation-store.js";
import { createStore } from "../../src/store/create-store.js";
import { type FakeOllama, type OllamaChatBody, startFakeOllama } from "../fakes/fake-ollama.js";
import { type FakeSlack, startFakeSlack } from "../fakes/fake-slack/fake-slack.js";
import {
  eventCallback,
  type MessageEventInput,
  messageEvent,
  slashCommandBody,
} from "../fakes/fake-slack/payloads.js";
import { sendSignedCommand, sendSignedEvent } from "../fakes/fake-slack/signed-requests.js";
import { freePort, type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { eventually, startFleet, type TroupeFleet } from "../helpers/troupe-fleet.js";

const INSTANCES = 3;
const SECRET = "fleet-signing-secret-0123456789";
const CHANNEL = "CGENERAL1";
const BOT = "<@UBOT00001>";
const PEOPLE = { ada: "UADA00001", bob: "UBOB00001", cleo: "UCLEO0001", dan: "UDAN00001" };
/** What instances log when they leave a delivery to another (debug lines). */
const DUPLICATE_LINES = [
  "event already handled (a Slack retry): ignored",
  "message already handled (app_mention + message): ignored",
  "slash command already handled (a redelivery): ignored",
];
/** The coder persona's reminder: in a prompt only when coder answers. */
const CODER_REMINDER = "Stay the coding assistant";

let redis: RedisServer;
let slack: FakeSlack;
let ollamas: FakeOllama[];
let ports: number[];
let fleet: TroupeFleet;
let store: ConversationStore;

beforeAll(async () => {
  [redis, slack, ollamas, ports] = await Promise.all([
    startRedisServer(),
    startFakeSlack(),
    Promise.all(Array.from({ length: INSTANCES }, () => startFakeOllama())),
    Promise.all(Array.from({ length: INSTANCES }, () => freePort())),
  ]);
  for (const [name, id] of Object.entries(PEOPLE)) slack.addUser({ id, name, displayName: capital(name) });
  fleet = await startFleet(
    ports.map((port, index) => ({
      OLLAMA_HOST: ollamas[index]?.host ?? "",
      MODEL_PROVIDER: "ollama",
      STORE_URL: redis.url,
      SLACK_BOT_TOKEN: slack.identity.botToken,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      PLATFORM_RETRY_SECONDS: "0",
      LOG_LEVEL: "debug",
    })),
  );
  store = await createStore(redis.url, { historyTtlMs: 60 * 60_000, maxTurns: 200 });
}, 120_000);

afterAll(async () => {
  await store?.close();
  await fleet?.stop();
  await Promise.all([redis?.stop(), slack?.close(), ...(ollamas ?? []).map((ollama) => ollama.close())]);
});

function capital(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

function eventsUrl(instance: number): string {
  return `http://127.0.0.1:${ports[instance]}/slack/events`;
}

/** Posts a signed event to one instance, as Slack (or a load balancer in front) would. */
async function deliver(
  instance: number,
  input: MessageEventInput,
  options: { eventId?: string; retryNum?: number } = {},
): Promise<string> {
  const body = eventCallback(slack.identity, messageEvent(input), options.eventId);
  const response = await sendSignedEvent(eventsUrl(instance), body, {
    secret: SECRET,
    retryNum: options.retryNum,
  });
  expect(response.status, `instance ${instance} acknowledged`).toBe(200);
  return String(body.event_id);
}

/** Every delivery an instance decided on: answered, or left as a duplicate. */
function decisions(): number {
  const lines = fleet.lines();
  return lines.filter(
    (line) =>
      line.msg === "answered" || line.msg === "persona bound" || DUPLICATE_LINES.includes(String(line.msg)),
  ).length;
}

function answersTo(ts: string): number {
  return slack.calls("chat.postMessage").filter((call) => call.args.thread_ts === ts).length;
}

function chatBodies(): { instance: number; body: OllamaChatBody }[] {
  return ollamas.flatMap((ollama, instance) => ollama.chatBodies().map((body) => ({ instance, body })));
}

/** The prompt whose last message is `question` (from `author`), with the instance that sent it. */
function promptFor(author: string, question: string): { instance: number; text: string } | undefined {
  const found = chatBodies().find(({ body }) => body.messages.at(-1)?.content === `${author}: ${question}`);
  return (
    found && {
      instance: found.instance,
      text: found.body.messages.map((message) => message.content).join("\n"),
    }
  );
}

async function history(ts: string): Promise<Turn[]> {
  return store.getHistory(slackConversationId(slack.identity.teamId, CHANNEL, ts));
}

/**
 * The thread's history once it holds `length` turns, or as it is after `timeoutMs` (the assertion
 * after it then says what is missing): an answer is posted before its exchange is stored.
 */
async function historyOf(ts: string, length: number, timeoutMs = 10_000): Promise<Turn[]> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const turns = await history(ts);
    if (turns.length >= length) return turns;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return history(ts);
}

/** A top-level mention, answered, to open a thread the next messages continue. */
async function openThread(instance: number, author: string, text: string): Promise<string> {
  const ts = slack.nextTs();
  await deliver(instance, {
    type: "app_mention",
    channel: CHANNEL,
    user: author,
    text: `${BOT} ${text}`,
    ts,
  });
  await eventually("the thread's first answer", () => answersTo(ts) === 1);
  expect(await historyOf(ts, 2)).toHaveLength(2);
  return ts;
}

/** A mention inside thread `threadTs`. */
function inThread(threadTs: string, author: string, text: string): MessageEventInput {
  return {
    type: "app_mention",
    channel: CHANNEL,
    user: author,
    text: `${BOT} ${text}`,
    ts: slack.nextTs(),
    threadTs,
  };
}

describe("several instances on one Redis (Slack HTTP mode)", () => {
  it("answers every event once, though retries and the app_mention + message pair reach other instances", async () => {
    const before = decisions();
    // Event k goes to instance k % 3; every third is also retried by Slack (same event id) to the
    // next instance while the first is in flight; every third other one also arrives elsewhere as
    // its `message` twin (its own event id, same message).
    const events = Array.from({ length: 9 }, (_, index) => {
      const first = index % INSTANCES;
      const twin = index % 3 === 0 ? "retry" : index % 3 === 1 ? "message" : undefined;
      const second = twin === "retry" ? (index + 1) % INSTANCES : (index + 2) % INSTANCES;
      return {
        index,
        ts: slack.nextTs(),
        eventId: `EvFLEET${String(index).padStart(4, "0")}`,
        twin,
        receivers: twin === undefined ? [first] : [first, second],
      };
    });
    await Promise.all(
      events.flatMap(({ index, ts, eventId, twin, receivers: [first = 0, second = 0] }) => {
        const mention: MessageEventInput = {
          type: "app_mention",
          channel: CHANNEL,
          user: PEOPLE.ada,
          text: `${BOT} question ${index}`,
          ts,
        };
        const deliveries = [deliver(first, mention, { eventId })];
        if (twin === "retry") deliveries.push(deliver(second, mention, { eventId, retryNum: 1 }));
        if (twin === "message") deliveries.push(deliver(second, { ...mention, type: "message" }));
        return deliveries;
      }),
    );
    const deliveries = events.reduce((sum, event) => sum + event.receivers.length, 0);
    await eventually("every delivery decided by some instance", () => decisions() - before === deliveries);
    for (const { index, ts, receivers } of events) {
      expect(answersTo(ts), `answers to question ${index}`).toBe(1);
      const asked = chatBodies().filter(
        ({ body }) => body.messages.at(-1)?.content === `Ada: question ${index}`,
      );
      expect(asked, `model calls for question ${index}`).toHaveLength(1);
      expect(receivers, `question ${index} answered by an instance it reached`).toContain(asked[0]?.instance);
    }
  });

  it("runs a slash command once when the same invocation reaches two instances", async () => {
    const before = decisions();
    const body = slashCommandBody(slack.identity, {
      command: "/ask",
      text: "a command for the fleet",
      channel: CHANNEL,
      user: PEOPLE.bob,
      responseUrl: slack.responseUrl(),
    });
    const responses = await Promise.all(
      [0, 1].map((instance) => sendSignedCommand(eventsUrl(instance), body, { secret: SECRET })),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    await eventually("both deliveries decided", () => decisions() - before === 2);
    const roots = slack
      .calls("chat.postMessage")
      .filter((call) => String(call.args.text).includes("asked: a command for the fleet"));
    expect(roots).toHaveLength(1);
    const root = slack.botMessages(CHANNEL).find((message) => message.text.includes("asked: a command"));
    await eventually("the answer in the command's thread", () => answersTo(root?.ts ?? "") > 0);
    expect(answersTo(root?.ts ?? "")).toBe(1);
    const asked = chatBodies().filter(({ body }) =>
      body.messages.at(-1)?.content.endsWith("a command for the fleet"),
    );
    expect(asked).toHaveLength(1);
  });

  it("sees a persona chosen and a reset made through another instance", async () => {
    const ts = await openThread(0, PEOPLE.cleo, "hello before choosing");
    await deliver(0, inThread(ts, PEOPLE.cleo, "persona coder"));
    await eventually("the persona confirmed", () => answersTo(ts) === 2);

    await deliver(1, inThread(ts, PEOPLE.cleo, "which persona now"));
    await eventually(
      "the answer through instance 1",
      () => promptFor("Cleo", "which persona now") !== undefined,
    );
    const asCoder = promptFor("Cleo", "which persona now");
    expect(asCoder?.instance).toBe(1);
    expect(asCoder?.text).toContain(CODER_REMINDER);
    expect(asCoder?.text).toContain("hello before choosing");

    await eventually("that answer", () => answersTo(ts) === 3);
    expect(await historyOf(ts, 4)).toHaveLength(4);
    await deliver(1, inThread(ts, PEOPLE.cleo, "reset"));
    await eventually("the reset confirmed", () => answersTo(ts) === 4);
    expect(await history(ts)).toEqual([]);

    await deliver(2, inThread(ts, PEOPLE.cleo, "after the reset"));
    await eventually(
      "the answer through instance 2",
      () => promptFor("Cleo", "after the reset") !== undefined,
    );
    const fresh = promptFor("Cleo", "after the reset");
    expect(fresh?.instance).toBe(2);
    expect(fresh?.text).toContain(CODER_REMINDER);
    expect(fresh?.text).not.toContain("hello before choosing");
    expect(fresh?.text).not.toContain("which persona now");
  });

  it("loses no turn when several people write in one conversation through different instances at once", async () => {
    const ts = await openThread(0, PEOPLE.ada, "a shared conversation");
    const speakers = [
      ["Ada", PEOPLE.ada],
      ["Bob", PEOPLE.bob],
      ["Cleo", PEOPLE.cleo],
      ["Dan", PEOPLE.dan],
      ["Bob", PEOPLE.bob],
      ["Ada", PEOPLE.ada],
    ] as const;
    // Answers streamed at one pace, so the instances store their exchanges at about the same moment.
    for (const ollama of ollamas) ollama.enqueue({ delayMs: 30 }, { delayMs: 30 });
    await Promise.all(
      speakers.map(([name, id], index) =>
        deliver(index % INSTANCES, inThread(ts, id, `${name} says ${index}`)),
      ),
    );
    const expected = 2 + speakers.length * 2;
    await eventually("every message answered", () => answersTo(ts) === 1 + speakers.length);
    const stored = await historyOf(ts, expected);
    const contents = stored.map((turn) => turn.content);
    for (const [index, [name]] of speakers.entries()) {
      expect(contents, `question ${index}`).toContain(`${name} says ${index}`);
      expect(contents, `answer ${index}`).toContain(`echo: ${name}: ${name} says ${index}`);
    }
    expect(stored).toHaveLength(expected);
  });

  it("answers one person's two messages in order, though they reach two instances in quick succession", async () => {
    const ts = await openThread(0, PEOPLE.dan, "an ordered conversation");
    // The first answer takes a while, so the second message arrives while it is being written.
    ollamas[1]?.enqueue({ chunks: ["slow ", "first ", "answer"], delayMs: 150 });
    await deliver(1, inThread(ts, PEOPLE.dan, "first question"));
    // The second message comes while the first answer is being written.
    await eventually("the first answer begun", () => promptFor("Dan", "first question") !== undefined);
    await deliver(2, inThread(ts, PEOPLE.dan, "second question"));
    await eventually(
      "both answered",
      () => promptFor("Dan", "second question") !== undefined && answersTo(ts) === 3,
    );
    const second = promptFor("Dan", "second question");
    expect(second?.instance).toBe(2);
    expect(second?.text).toContain("Dan: first question");
    expect(second?.text).toContain("slow first answer");
    expect((await historyOf(ts, 6)).slice(2).map((turn) => turn.content)).toEqual([
      "first question",
      "slow first answer",
      "second question",
      "echo: Dan: second question",
    ]);
  });
});
