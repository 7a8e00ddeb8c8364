/**
 * HTTP Events API mode: signed requests from "Slack" (real v0 signatures), Bolt's verification,
 * retries by header, and a slash command acknowledged over HTTP.
 */
import { afterEach, describe, expect, it } from "vitest";
import { slashCommandBody } from "../../fakes/fake-slack/payloads.js";
import { sendSignedCommand, sendSignedEvent } from "../../fakes/fake-slack/signed-requests.js";
import { ADA, type Harness, SIGNING_SECRET, startHarness } from "./slack-harness.js";

const CHANNEL = "CGENERAL1";
const BOT = "<@UBOT00001>";
let harness: Harness;

afterEach(async () => {
  await harness?.stop();
});

describe("slack over HTTP", () => {
  it("answers a signed mention", async () => {
    harness = await startHarness({ mode: "http" });
    const ts = harness.fake.nextTs();
    const response = await harness.sendHttp({
      type: "app_mention",
      channel: CHANNEL,
      user: ADA,
      text: `${BOT} hi`,
      ts,
    });
    expect(response.status).toBe(200);
    expect((await harness.answerIn(CHANNEL, ts))[0]?.text).toBe("echo: Ada: hi");
  });

  it("rejects a bad signature with 401, and the model is never called", async () => {
    harness = await startHarness({ mode: "http" });
    const response = await harness.sendHttp(
      { type: "app_mention", channel: CHANNEL, user: ADA, text: `${BOT} hi`, ts: harness.fake.nextTs() },
      { badSignature: true },
    );
    expect(response.status).toBe(401);
    await harness.connector.settled();
    expect(harness.ollama.chatBodies()).toHaveLength(0);
    expect(harness.fake.calls().map((call) => call.method)).toEqual(["auth.test"]);
  });

  it("rejects a stale timestamp (a replayed request)", async () => {
    harness = await startHarness({ mode: "http" });
    const response = await harness.sendHttp(
      { type: "app_mention", channel: CHANNEL, user: ADA, text: `${BOT} hi`, ts: harness.fake.nextTs() },
      { timestampSeconds: Math.floor(Date.now() / 1000) - 6 * 60 },
    );
    expect(response.status).toBe(401);
    await harness.connector.settled();
    expect(harness.ollama.chatBodies()).toHaveLength(0);
  });

  it("answers a retried delivery (X-Slack-Retry-Num) once", async () => {
    harness = await startHarness({ mode: "http" });
    const ts = harness.fake.nextTs();
    const event = { type: "app_mention" as const, channel: CHANNEL, user: ADA, text: `${BOT} hi`, ts };
    await harness.sendHttp(event, { eventId: "EvRETRY0001" });
    await harness.answerIn(CHANNEL, ts);
    expect((await harness.sendHttp(event, { eventId: "EvRETRY0001", retryNum: 1 })).status).toBe(200);
    const h = harness;
    await h.waitFor(
      () =>
        h.logger.lines.some(
          (line) => line.message.includes("a Slack retry") && line.fields.eventId === "EvRETRY0001",
        ),
      "the retry to be recognised",
    );
    await h.connector.settled();
    expect(h.ollama.chatBodies()).toHaveLength(1);
    expect(h.fake.botMessages(CHANNEL)).toHaveLength(1);
  });

  it("answers Slack's URL verification", async () => {
    harness = await startHarness({ mode: "http" });
    const response = await sendSignedEvent(
      harness.eventsUrl,
      {
        type: "url_verification",
        token: "x",
        challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
      },
      { secret: SIGNING_SECRET },
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
  });

  it("acks /ask at once, then asks in a thread and answers there as the chosen persona", async () => {
    harness = await startHarness({ mode: "http" });
    harness.ollama.enqueue({ chunks: ["Use ", "sorted()."], delayMs: 300 });
    const body = slashCommandBody(harness.fake.identity, {
      command: "/ask",
      text: "persona:coder how do I sort a list?",
      channel: CHANNEL,
      user: ADA,
      responseUrl: harness.fake.responseUrl(),
    });
    const response = await sendSignedCommand(harness.eventsUrl, body, { secret: SIGNING_SECRET });
    // The HTTP ack came back before the answer was written.
    expect(response.status).toBe(200);
    expect(harness.fake.calls("chat.update")).toHaveLength(0);

    const h = harness;
    const root = await h.waitFor(
      () => h.fake.botMessages(CHANNEL).find((message) => message.threadTs === undefined),
      "the question",
    );
    expect(root.text.replace(/\u200b/g, "")).toBe("*Ada* asked: how do I sort a list?");
    const [answer] = await h.answerIn(CHANNEL, root.ts);
    expect(answer).toMatchObject({ text: "Use sorted().", username: "💻 Coder" });
    expect(h.ollama.chatBodies()[0]?.messages[0]?.content).toBe(h.personas.get("coder")?.systemPrompt);

    // The thread is a conversation the bot is part of: a follow-up needs no mention.
    const followUp = h.fake.nextTs();
    await h.sendHttp({ channel: CHANNEL, user: ADA, text: "and reversed?", ts: followUp, threadTs: root.ts });
    await h.answerIn(CHANNEL, root.ts, 2);
    expect(h.ollama.chatBodies()[1]?.messages.at(-1)?.content).toBe("Ada: and reversed?");
  });
});
