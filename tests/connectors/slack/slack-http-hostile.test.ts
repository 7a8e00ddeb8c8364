/**
 * Hostile but correctly signed HTTP requests against the real Bolt app: each gets its 4xx at once
 * (the answer comes before Bolt's 3-second ack timer could fire, so its "not acknowledged" line
 * never appears), one warning line with the reason and none of the body's secrets, no unhandled
 * rejection, and the model is never called. Requests from the future are refused like stale ones.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventCallback, messageEvent, slashCommandBody } from "../../fakes/fake-slack/payloads.js";
import { FORM, type SignedResponse, sendSignedRaw } from "../../fakes/fake-slack/signed-requests.js";
import { ADA, type Harness, SIGNING_SECRET, startHarness } from "./slack-harness.js";

/** Secrets planted in every hostile body: none may reach a log line. */
const VERIFICATION_TOKEN = "planted-verification-token-7f3a";
const PLANTED_BOT_TOKEN = "xoxb-planted-0000-token";
const CHANNEL = "CGENERAL1";
const JSON_TYPE = "application/json";

let harness: Harness;
let rejections: unknown[] = [];
let chatsBefore = 0;
const onRejection = (reason: unknown) => rejections.push(reason);

beforeAll(async () => {
  harness = await startHarness({ mode: "http" });
});
afterAll(async () => {
  await harness?.stop();
});
beforeEach(() => {
  rejections = [];
  process.on("unhandledRejection", onRejection);
  harness.logger.lines.length = 0;
  chatsBefore = harness.ollama.chatBodies().length;
});
afterEach(() => {
  process.off("unhandledRejection", onRejection);
});

function validEvent(): Record<string, unknown> {
  const event = messageEvent({
    channel: CHANNEL,
    user: ADA,
    text: "<@UBOT00001> hi",
    ts: harness.fake.nextTs(),
  });
  return { ...eventCallback(harness.fake.identity, event), token: VERIFICATION_TOKEN };
}

function commandFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...slashCommandBody(harness.fake.identity, {
      command: "/ask",
      text: `hi ${PLANTED_BOT_TOKEN}`,
      channel: CHANNEL,
      user: ADA,
      responseUrl: harness.fake.responseUrl(),
    }),
    token: VERIFICATION_TOKEN,
    ...overrides,
  };
}

function json(value: unknown): string {
  return JSON.stringify(value);
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

async function send(body: string, contentType: string, timestampSeconds?: number): Promise<SignedResponse> {
  return sendSignedRaw(harness.eventsUrl, body, contentType, { secret: SIGNING_SECRET, timestampSeconds });
}

/** What every refused request must leave behind: one warning with the reason, nothing else of note. */
async function expectRefused(response: SignedResponse, status: number, reason: RegExp): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.text).toBe("");
  // A macrotask later: a rejection from the request's handling would have been reported by now.
  await new Promise((resolve) => setImmediate(resolve));
  await harness.connector.settled();
  const lines = harness.logger.lines;
  const warnings = lines.filter((line) => line.level === "warn");
  expect(warnings).toHaveLength(1);
  expect(warnings[0]?.fields.status).toBe(status);
  expect(String(warnings[0]?.fields.reason)).toMatch(reason);
  expect(lines.filter((line) => line.level === "error")).toEqual([]);
  expect(lines.some((line) => line.message.includes("not acknowledged"))).toBe(false);
  const logged = JSON.stringify(lines);
  expect(logged).not.toContain(VERIFICATION_TOKEN);
  expect(logged).not.toContain(PLANTED_BOT_TOKEN);
  expect(rejections).toEqual([]);
  expect(harness.ollama.chatBodies()).toHaveLength(chatsBefore);
}

const notAnObject: [string, string, RegExp][] = [
  ["null", "null", /is null, not an object/],
  ["an empty array", "[]", /is an array/],
  ["an array of events", json([{ type: "event_callback", token: VERIFICATION_TOKEN }]), /is an array/],
  ["a string", json("x"), /is a string/],
  ["a number", "42", /is a number/],
  ["true", "true", /is a boolean/],
  ["a deeply nested array", `${"[".repeat(100_000)}${"]".repeat(100_000)}`, /is an array/],
];

describe("signed bodies that are not an object", () => {
  it.each(notAnObject)("%s: 400", async (_name, body, reason) => {
    await expectRefused(await send(body, JSON_TYPE), 400, reason);
  });
});

describe("signed bodies Bolt could not route or would crash on", () => {
  const cases: [string, () => [string, string], RegExp][] = [
    ["JSON that does not parse", () => [`{"token":"${VERIFICATION_TOKEN}", oops`, JSON_TYPE], /not JSON/],
    ["JSON without a type", () => [json({ token: VERIFICATION_TOKEN, team_id: "T1" }), JSON_TYPE], /no type/],
    [
      "an unknown type",
      () => [json({ type: "surprise_party", token: VERIFICATION_TOKEN }), JSON_TYPE],
      /"surprise_party" is not one this app handles/,
    ],
    [
      "a type that is not a name",
      () => [json({ type: `${PLANTED_BOT_TOKEN}!`, token: VERIFICATION_TOKEN }), JSON_TYPE],
      /\(not a name\) is not one/,
    ],
    [
      "an interactive payload (interactivity is off)",
      () => [
        form({ payload: json({ type: "block_actions", actions: [], token: VERIFICATION_TOKEN }) }),
        FORM,
      ],
      /"block_actions" is not one/,
    ],
    [
      "a form whose payload is not JSON",
      () => [form({ payload: `{${VERIFICATION_TOKEN}` }), FORM],
      /payload is not JSON/,
    ],
    [
      "a form with neither command nor type",
      () => [form({ token: VERIFICATION_TOKEN, text: "hi" }), FORM],
      /no type/,
    ],
    [
      "an event_callback without an event",
      () => [json({ ...validEvent(), event: undefined }), JSON_TYPE],
      /event/,
    ],
    [
      "an event that is null",
      () => [json({ ...validEvent(), event: null }), JSON_TYPE],
      /malformed event_callback/,
    ],
    [
      "an event that is a string",
      () => [json({ ...validEvent(), event: "x" }), JSON_TYPE],
      /malformed event_callback/,
    ],
    [
      "an event without a type",
      () => [json({ ...validEvent(), event: { channel: CHANNEL, text: "hi" } }), JSON_TYPE],
      /at event\.type/,
    ],
    [
      "an event whose item is not an object",
      () => [json({ ...validEvent(), event: { type: "reaction_added", item: 5 } }), JSON_TYPE],
      /at event\.item/,
    ],
    [
      "an event whose channel is null",
      () => [json({ ...validEvent(), event: { type: "message", channel: null } }), JSON_TYPE],
      /at event\.channel/,
    ],
    [
      "an event whose user is null",
      () => [json({ ...validEvent(), event: { type: "message", channel: CHANNEL, user: null } }), JSON_TYPE],
      /at event\.user/,
    ],
    [
      "an event whose subteam is null",
      () => [json({ ...validEvent(), event: { type: "subteam_created", subteam: null } }), JSON_TYPE],
      /at event\.subteam/,
    ],
    [
      "an event whose channel is a number",
      () => [json({ ...validEvent(), event: { type: "channel_created", channel: 5 } }), JSON_TYPE],
      /at event\.channel/,
    ],
    [
      "response_urls that is null",
      () => [json({ ...validEvent(), response_urls: null }), JSON_TYPE],
      /response_urls/,
    ],
    [
      "authorizations holding null",
      () => [json({ ...validEvent(), authorizations: [null] }), JSON_TYPE],
      /authorizations/,
    ],
    [
      "a team id that is a key of every object",
      () => [json({ ...validEvent(), team_id: "constructor", authorizations: undefined }), JSON_TYPE],
      /at team_id/,
    ],
    [
      "an authorization's team id __proto__",
      () => [json({ ...validEvent(), authorizations: [{ team_id: "__proto__" }] }), JSON_TYPE],
      /authorizations\.0\.team_id/,
    ],
    [
      "a function_executed event (no functions here)",
      () => [
        json({ ...validEvent(), event: { type: "function_executed", function_execution_id: "Fx1" } }),
        JSON_TYPE,
      ],
      /function_executed/,
    ],
    [
      "a slash command this app does not have",
      () => [form(commandFields({ command: "/nope" })), FORM],
      /"\/nope" is not one/,
    ],
    [
      "a slash command without its user",
      () => [
        form(Object.fromEntries(Object.entries(commandFields()).filter(([key]) => key !== "user_id"))),
        FORM,
      ],
      /malformed slash command.*user_id/,
    ],
  ];
  it.each(cases)("%s: 400", async (_name, build, reason) => {
    const [body, contentType] = build();
    await expectRefused(await send(body, contentType), 400, reason);
  });
});

describe("the edges of the door", () => {
  it("a body over Bolt's 4 MB limit: 413", async () => {
    const body = json({ ...validEvent(), padding: "x".repeat(4 * 1024 * 1024) });
    await expectRefused(await send(body, JSON_TYPE), 413, /over the limit/);
  });

  it("a signed request stamped more than 5 minutes in the future: 401, like a stale one", async () => {
    const future = Math.floor(Date.now() / 1000) + 6 * 60;
    await expectRefused(await send(json(validEvent()), JSON_TYPE, future), 401, /in the future/);
  });

  it("a bad signature: 401 with Bolt's reason", async () => {
    const response = await sendSignedRaw(harness.eventsUrl, json(validEvent()), JSON_TYPE, {
      secret: SIGNING_SECRET,
      badSignature: true,
    });
    await expectRefused(response, 401, /signature mismatch/);
  });

  it("Slack's rate-limit notice gets its 200 and one warning", async () => {
    const body = json({
      token: VERIFICATION_TOKEN,
      type: "app_rate_limited",
      team_id: "TFAKE0001",
      minute_rate_limited: 1518467820,
      api_app_id: "AFAKE",
    });
    const response = await send(body, JSON_TYPE);
    expect(response.status).toBe(200);
    const warnings = harness.logger.lines.filter((line) => line.level === "warn");
    expect(warnings.map((line) => line.message)).toEqual([expect.stringContaining("rate-limiting")]);
    expect(JSON.stringify(harness.logger.lines)).not.toContain(VERIFICATION_TOKEN);
  });

  it("Slack's SSL check (unsigned, by design) still gets its 200", async () => {
    const response = await fetch(harness.eventsUrl, {
      method: "POST",
      headers: { "content-type": FORM },
      body: "ssl_check=1&token=x",
    });
    expect(response.status).toBe(200);
    expect(harness.logger.lines.filter((line) => line.level === "warn")).toEqual([]);
  });

  it("a stamp just inside the window still passes, and the mention is answered", async () => {
    const ts = harness.fake.nextTs();
    const event = messageEvent({
      type: "app_mention",
      channel: CHANNEL,
      user: ADA,
      text: "<@UBOT00001> hi",
      ts,
    });
    const body = json(eventCallback(harness.fake.identity, event));
    const response = await send(body, JSON_TYPE, Math.floor(Date.now() / 1000) + 4 * 60);
    expect(response.status).toBe(200);
    expect((await harness.answerIn(CHANNEL, ts))[0]?.text).toBe("echo: Ada: hi");
    expect(harness.logger.lines.filter((line) => line.level === "warn")).toEqual([]);
  });
});
