/**
 * Slack figures against the loopback fakes (the real Bolt app, Web API client and Bot):
 * - 50 conversations at once over Socket Mode: event sent → the model's request arrives, and the
 *   model's first token → the first message reaching Slack (median and p99);
 * - HTTP Events API throughput: signed events acknowledged and handled per second (chatter the bot
 *   ignores), and mentions answered end to end per second.
 */
import type { ChatModel, ChatPart } from "../src/model/chat-model.js";
import { ADA, type Harness, SIGNING_SECRET, startHarness } from "../tests/connectors/slack/slack-harness.js";
import { eventCallback, messageEvent } from "../tests/fakes/fake-slack/payloads.js";
import { sendSignedEvent } from "../tests/fakes/fake-slack/signed-requests.js";
import { type Summary, summarize } from "./stats.js";

export interface SlackBench {
  conversations: number;
  eventToModel: Summary;
  firstTokenToSlack: Summary;
  httpEventsPerSecond: number;
  httpAnswersPerSecond: number;
}

const TOKEN = /conv-(\d+)/;

/** Records when the bot receives each conversation's first token from the model. */
function timedModel(model: ChatModel, firstToken: Map<number, number>): ChatModel {
  return {
    description: model.description,
    check: () => model.check(),
    async *stream(request, options): AsyncGenerator<ChatPart> {
      const id = Number(TOKEN.exec(request.messages.at(-1)?.content ?? "")?.[1] ?? -1);
      for await (const part of model.stream(request, options)) {
        if (part.type === "text-delta" && !firstToken.has(id)) firstToken.set(id, performance.now());
        yield part;
      }
    },
  };
}

/** Records when each conversation's request reaches the fake Ollama (its request list is the hook). */
function timeArrivals(harness: Harness, arrivals: Map<number, number>): void {
  const requests = harness.ollama.requests;
  const push = requests.push.bind(requests);
  requests.push = (...items) => {
    for (const item of items) {
      const id = TOKEN.exec(JSON.stringify(item.body))?.[1];
      if (id !== undefined && !arrivals.has(Number(id))) arrivals.set(Number(id), performance.now());
    }
    return push(...items);
  };
}

async function concurrentConversations(count: number) {
  const firstToken = new Map<number, number>();
  const arrivals = new Map<number, number>();
  const harness = await startHarness({ wrapModel: (model) => timedModel(model, firstToken) });
  try {
    timeArrivals(harness, arrivals);
    for (let index = 0; index < count; index++) {
      harness.ollama.enqueue({ chunks: ["Hello ", "from ", "the ", "fake ", "model."], delayMs: 20 });
    }
    const sent = new Map<number, { at: number; ts: string; channel: string }>();
    for (let index = 0; index < count; index++) {
      const ts = harness.fake.nextTs();
      const channel = `CBENCH${String(index).padStart(4, "0")}`;
      sent.set(index, { at: performance.now(), ts, channel });
      harness.send({ type: "app_mention", channel, user: ADA, text: `<@UBOT00001> conv-${index} hello`, ts });
    }
    await harness.waitFor(
      () => harness.fake.calls("chat.postMessage").length >= count,
      "every first message",
      120_000,
    );
    await harness.connector.settled();
    const posts = harness.fake.calls("chat.postMessage");
    const eventToModel: number[] = [];
    const firstTokenToSlack: number[] = [];
    for (const [index, { at, ts }] of sent) {
      const arrival = arrivals.get(index);
      const token = firstToken.get(index);
      const post = posts.find((call) => call.args.thread_ts === ts);
      if (arrival !== undefined) eventToModel.push(arrival - at);
      if (token !== undefined && post !== undefined) firstTokenToSlack.push(post.at - token);
    }
    return { eventToModel: summarize(eventToModel), firstTokenToSlack: summarize(firstTokenToSlack) };
  } finally {
    await harness.stop();
  }
}

/** Sends `total` signed requests, `parallel` at a time; resolves with the elapsed milliseconds. */
async function sendAll(
  total: number,
  parallel: number,
  send: (index: number) => Promise<unknown>,
): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < total) await send(next++);
    }),
  );
  return performance.now() - started;
}

async function httpThroughput(chatter: number, mentions: number) {
  const harness = await startHarness({ mode: "http" });
  try {
    const post = (event: Parameters<typeof messageEvent>[0]) =>
      sendSignedEvent(harness.eventsUrl, eventCallback(harness.fake.identity, messageEvent(event)), {
        secret: SIGNING_SECRET,
      });
    // Channel chatter: verified, acknowledged, parsed, classified and ignored.
    const chatterMs = await sendAll(chatter, 16, () =>
      post({ channel: "CCHATTER1", user: ADA, text: "just people talking", ts: harness.fake.nextTs() }),
    );
    await harness.connector.settled();
    // Mentions answered end to end (one-chunk answers, a channel each: no edits to pace).
    for (let index = 0; index < mentions; index++) harness.ollama.enqueue({ chunks: [`Answer ${index}.`] });
    const started = performance.now();
    await sendAll(mentions, 16, (index) =>
      post({
        type: "app_mention",
        channel: `CHTTP${index}`,
        user: ADA,
        text: "<@UBOT00001> hi",
        ts: harness.fake.nextTs(),
      }),
    );
    await harness.waitFor(
      () => harness.fake.calls("chat.postMessage").length >= mentions,
      "every answer",
      120_000,
    );
    const answersMs = performance.now() - started;
    return {
      httpEventsPerSecond: Math.round((chatter / chatterMs) * 1000),
      httpAnswersPerSecond: Math.round((mentions / answersMs) * 1000),
    };
  } finally {
    await harness.stop();
  }
}

export async function benchSlack(conversations = 50): Promise<SlackBench> {
  const concurrent = await concurrentConversations(conversations);
  const http = await httpThroughput(2_000, 300);
  return { conversations, ...concurrent, ...http };
}
