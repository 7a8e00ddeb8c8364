/**
 * Fuzzing the Slack payload readers, seeded and bounded by iteration count: recorded payloads
 * mutated (types changed, keys deleted, deep nesting, huge strings, odd Unicode, `__proto__` keys)
 * and random values go through the same steps as in the connector: the zod readers, then the
 * mapping (classification, ids, plain text, the command plan) and the HTTP body check. The only
 * rejection allowed is the readers' own (a failed safeParse, a "reject" verdict); anything else
 * must come out well-formed. A failure names its seed: FUZZ_SEED=<seed> replays it alone.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commands } from "../../../commands/index.js";
import {
  isDirectCommand,
  planSlashCommand,
  toCommandMessage,
} from "../../../src/connectors/slack/slack-command-to-incoming.js";
import { checkHttpBody } from "../../../src/connectors/slack/slack-http-body.js";
import { mentionedUserIds, toPlainText } from "../../../src/connectors/slack/slack-incoming-text.js";
import {
  classifyEvent,
  messageKey,
  replyThreadTs,
  slackConversationId,
  toIncomingMessage,
} from "../../../src/connectors/slack/slack-message-to-incoming.js";
import {
  eventCallbackSchema,
  messageEventSchema,
  slashCommandSchema,
} from "../../../src/connectors/slack/slack-payloads.js";
import type { IncomingMessage } from "../../../src/core/message.js";
import { parseCommandLine } from "../../../src/core/typed-commands.js";
import {
  createRng,
  describeInput,
  fuzzIterations,
  fuzzTimeoutMs,
  mutate,
  type Rng,
  randomValue,
} from "../../helpers/fuzz.js";

const payloadDir = join(import.meta.dirname, "payloads");
const recorded: Record<string, unknown> = Object.fromEntries(
  readdirSync(payloadDir)
    .filter((file) => file.endsWith(".json"))
    .map((file) => [file, JSON.parse(readFileSync(join(payloadDir, file), "utf8")) as unknown]),
);
const recordedEvents = Object.entries(recorded)
  .filter(([file]) => file !== "slash-command.json")
  .map(([, body]) => body);
const recordedCommand = recorded["slash-command.json"];
/** Secrets in the recorded payloads: a rejection's reason must never quote them. */
const plantedSecrets = ["ZZZZZZWSxiZZZ2yIvs3peJ", "gIkuvaNzQIHg97ATvDxqgjtO"];

const BOT = "U0LAN0Z89";
const names = new Map([
  ["U123ABC456", "Ada"],
  ["U2147483697", ""],
  ["__proto__", "Proto"],
]);
const slashNames = new Set(commands.map((command) => `/${command.name}`));
const ITERATIONS = fuzzIterations(1_000);
/** The hang guard (not a timing assertion): generous, and it grows with FUZZ_ITERATIONS. */
const TIMEOUT_MS = fuzzTimeoutMs(ITERATIONS);

/** Runs `check` once per seed (each seed its own PRNG), so any failure replays from its seed. */
function fuzz(base: number, check: (rng: Rng) => void): void {
  const only = Number(process.env.FUZZ_SEED);
  const seeds = Number.isInteger(only) && process.env.FUZZ_SEED !== undefined ? [only] : [];
  if (seeds.length === 0) for (let i = 0; i < ITERATIONS; i++) seeds.push(base + i);
  for (const seed of seeds) {
    try {
      check(createRng(seed));
    } catch (error) {
      throw new Error(`seed ${seed} failed (FUZZ_SEED=${seed} replays it): ${String(error)}`, {
        cause: error,
      });
    }
  }
}

function fail(what: string, input: unknown): never {
  throw new Error(`${what}; input: ${describeInput(input)}`);
}

function checkMessage(message: IncomingMessage, input: unknown): void {
  if (!message.conversationId.startsWith("slack:")) fail("a conversation id outside slack:", input);
  if (typeof message.text !== "string" || typeof message.author.name !== "string")
    fail("text or name not a string", input);
  if (message.author.name === "" || message.author.id === "") fail("an empty author", input);
  if (message.channelId === "" || message.serverId === "" || message.threadId === "")
    fail("an empty id", input);
  for (const attachment of message.attachments)
    if (attachment.url === "" || attachment.name === "") fail("a malformed attachment", input);
}

/** The event path of slack-on-message.ts, minus the network. */
function readEvent(body: unknown): void {
  const envelope = eventCallbackSchema.safeParse(body);
  if (!envelope.success) return;
  const parsed = messageEventSchema.safeParse(envelope.data.event);
  if (!parsed.success) return;
  const event = parsed.data;
  const decision = classifyEvent(event, { botUserId: BOT, botId: "B0LAN0Z89" });
  if (!["ignore", "mention", "direct", "thread-reply"].includes(decision.kind))
    fail("an unknown decision", body);
  const threadTs = replyThreadTs(event);
  slackConversationId(envelope.data.team_id, event.channel, threadTs);
  messageKey(envelope.data.team_id, event);
  for (const id of mentionedUserIds(event.text))
    if (!/^[A-Z0-9]+$/.test(id)) fail(`a mentioned id ${id}`, body);
  checkMessage(
    toIncomingMessage(event, {
      teamId: envelope.data.team_id,
      botUserId: BOT,
      names,
      adminUsers: ["U123ABC456"],
    }),
    body,
  );
}

/** The command path of slack-on-command.ts, minus the network. */
function readCommand(body: unknown): void {
  const parsed = slashCommandSchema.safeParse(body);
  if (!parsed.success) return;
  const payload = parsed.data;
  mentionedUserIds(payload.text);
  const text = toPlainText(payload.text, { botUserId: BOT, names });
  isDirectCommand(payload);
  const name = payload.command.replace(/^\//, "").toLowerCase();
  const command = parseCommandLine(`/${name} ${text}`, commands);
  if (command === undefined || command.kind === "unknown") return;
  const message = toCommandMessage(payload, { names, adminUsers: [], text });
  checkMessage(message, body);
  const plan = planSlashCommand(command.command.name, command.options, message, "troupe");
  if (plan.kind === "note" && plan.text === "") fail("an empty note", body);
}

function checkBody(body: unknown): void {
  const verdict = checkHttpBody(body, slashNames);
  if (verdict.kind !== "reject") return;
  if (verdict.reason.length > 300) fail("a reason over 300 characters", body);
  for (const secret of plantedSecrets)
    if (verdict.reason.includes(secret)) fail("a reason quoting a secret", body);
}

describe("Slack payload readers under fuzzing", () => {
  it(
    "recorded events, mutated, through the event path and the HTTP body check",
    () => {
      fuzz(1_000_000, (rng) => {
        const body = mutate(rng.pick(recordedEvents), rng);
        readEvent(body);
        checkBody(body);
      });
    },
    TIMEOUT_MS,
  );

  it(
    "the recorded slash command, mutated, through the command path and the HTTP body check",
    () => {
      fuzz(2_000_000, (rng) => {
        const body = mutate(recordedCommand, rng);
        readCommand(body);
        checkBody(body);
      });
    },
    TIMEOUT_MS,
  );

  it(
    "random values anywhere a body or an event goes",
    () => {
      fuzz(3_000_000, (rng) => {
        const value = randomValue(rng);
        readEvent(value);
        readEvent({ type: "event_callback", team_id: "T1", event_id: "Ev1", event: value });
        readCommand(value);
        checkBody(value);
        checkBody({ type: "event_callback", team_id: "T1", event_id: "Ev1", event: value });
      });
    },
    TIMEOUT_MS,
  );

  it(
    "random text through the plain-text reader",
    () => {
      fuzz(4_000_000, (rng) => {
        const value = randomValue(rng);
        const text = typeof value === "string" ? value : describeInput(value);
        const plain = toPlainText(text, { botUserId: BOT, names });
        if (typeof plain !== "string" || plain.length > text.length * 2 + 64) fail("an odd plain text", text);
      });
    },
    TIMEOUT_MS,
  );

  it("keeps the recorded payloads readable (the fuzzing starts from real shapes)", () => {
    for (const body of recordedEvents) expect(eventCallbackSchema.safeParse(body).success).toBe(true);
    expect(slashCommandSchema.safeParse(recordedCommand).success).toBe(true);
    expect(checkHttpBody(recordedCommand, new Set(["/persona"]))).toEqual({ kind: "pass" });
    for (const body of recordedEvents) expect(checkHttpBody(body, slashNames)).toEqual({ kind: "pass" });
  });
});

describe("what the fuzzing found, pinned", () => {
  const [mention] = recordedEvents as { event: Record<string, unknown> }[];

  it("an empty user, channel or ts is not a message (it made an author without a name, an id like slack:T::)", () => {
    for (const field of ["user", "channel", "ts", "thread_ts"])
      expect(messageEventSchema.safeParse({ ...mention?.event, [field]: "" }).success).toBe(false);
  });

  it("a file with an empty name is named by its title; one with an empty URL is left out", () => {
    const event = messageEventSchema.parse({
      ...mention?.event,
      files: [
        { name: "", title: "notes", url_private: "https://files.slack.com/a" },
        { name: "b.txt", url_private: "" },
      ],
    });
    const message = toIncomingMessage(event, { teamId: "T1", botUserId: BOT, names, adminUsers: [] });
    expect(message.attachments).toEqual([
      { name: "notes", url: "https://files.slack.com/a", contentType: undefined },
    ]);
  });

  it("a command from someone with an empty name is signed with their id", () => {
    const payload = slashCommandSchema.parse({ ...(recordedCommand as object), user_name: "" });
    const message = toCommandMessage(payload, { names: new Map(), adminUsers: [], text: "" });
    expect(message.author.name).toBe("U2147483697");
  });
});
