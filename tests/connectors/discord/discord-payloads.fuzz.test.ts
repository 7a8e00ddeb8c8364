/**
 * Fuzzing the Discord payload readers, seeded and bounded by iteration count: the recorded
 * MESSAGE_CREATE payloads mutated (types changed, keys deleted, deep nesting, huge strings, odd
 * Unicode, `__proto__` keys) and random values go through readMessagePayload, then the mapping in
 * every kind of place (addressing, IncomingMessage, mention text, thread names). The only
 * rejection allowed is the reader's own (undefined); anything read must map to a well-formed
 * message. A failure names its seed: FUZZ_SEED=<seed> replays it alone.
 */
import { describe, expect, it } from "vitest";
import { cleanText, displayName, threadName } from "../../../src/connectors/discord/discord-incoming-text.js";
import {
  addressing,
  type ChannelPlace,
  type MessageContext,
  moveToThread,
  toIncomingMessage,
} from "../../../src/connectors/discord/discord-message-to-incoming.js";
import { readMessagePayload } from "../../../src/connectors/discord/discord-payloads.js";
import {
  createRng,
  describeInput,
  fuzzIterations,
  fuzzTimeoutMs,
  mutate,
  type Rng,
  randomString,
  randomValue,
} from "../../helpers/fuzz.js";
import * as recorded from "./payloads.js";

const { ids } = recorded;
const messages = [
  recorded.guildMention,
  recorded.botRoleMention,
  recorded.replyToBot,
  recorded.replyToWebhook,
  recorded.directMessage,
  recorded.threadFollowUp,
  recorded.fromOtherBot,
  recorded.fromWebhook,
  recorded.everyone,
  recorded.memberJoined,
];
const places: ChannelPlace[] = [
  { kind: "dm" },
  { kind: "channel", id: ids.general, canOpenThreads: true },
  { kind: "thread", id: ids.thread, parentId: ids.general, botIsMember: true },
  { kind: "thread", id: ids.thread, parentId: ids.general, botIsMember: false },
];
const ADDRESSING = new Set([undefined, "direct", "mention", "reply", "thread"]);
const ITERATIONS = fuzzIterations(1_000);
const TIMEOUT_MS = fuzzTimeoutMs(ITERATIONS);

function context(place: ChannelPlace, permissions: bigint | undefined): MessageContext {
  return {
    botUserId: ids.bot,
    botRoleIds: [ids.botRole],
    isOwnWebhook: (id) => id === ids.webhook,
    place,
    permissions,
    names: {
      role: (id) => (id === ids.mods ? "Mods" : undefined),
      channel: (id) => (id === ids.general ? "general" : undefined),
    },
  };
}

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

/** The path of discord-on-message.ts, minus discord.js: read, decide, map, name the thread. */
function readMessage(data: unknown, rng: Rng): void {
  const payload = readMessagePayload(data);
  if (payload === undefined) return;
  const permissions = rng.pick([undefined, 0n, 2n ** 64n - 1n, 16n]);
  for (const place of places) {
    const ctx = context(place, permissions);
    if (!ADDRESSING.has(addressing(payload, ctx))) fail("an unknown addressing", data);
    const message = toIncomingMessage(payload, ctx);
    if (!message.conversationId.startsWith("discord:")) fail("a conversation id outside discord:", data);
    if (message.author.name === "" || message.author.id === "") fail("an empty author", data);
    if (message.channelId === "" || message.serverId === "") fail("an empty id", data);
    for (const attachment of message.attachments)
      if (attachment.name === "" || attachment.url === "") fail("an empty attachment", data);
    const moved = moveToThread(message, "1300000000000000001");
    if (moved.threadId !== "1300000000000000001") fail("a move that lost its thread", data);
    const name = threadName(message.text, message.author.name);
    if (name.length === 0 || name.length > 100) fail(`a thread name of ${name.length} characters`, data);
  }
}

describe("Discord payload readers under fuzzing", () => {
  it(
    "recorded messages, mutated, through the reader and the mapping",
    () => {
      fuzz(5_000_000, (rng) => readMessage(mutate(rng.pick(messages), rng), rng));
    },
    TIMEOUT_MS,
  );

  it(
    "random values anywhere a payload goes",
    () => {
      fuzz(6_000_000, (rng) => {
        const value = randomValue(rng);
        readMessage(value, rng);
        readMessage({ ...recorded.guildMention, content: value }, rng);
        readMessage({ ...recorded.guildMention, mentions: value }, rng);
        readMessage({ ...recorded.guildMention, author: value }, rng);
      });
    },
    TIMEOUT_MS,
  );

  it(
    "random text through the mention cleaner and the thread namer",
    () => {
      fuzz(7_000_000, (rng) => {
        const text = randomString(rng);
        const clean = cleanText(text, {
          botUserId: ids.bot,
          botRoleIds: [ids.botRole],
          names: { user: () => undefined, role: () => "Role", channel: () => undefined },
        });
        if (typeof clean !== "string") fail("a cleaned text that is not a string", text);
        const name = threadName(text, randomString(rng) || "Ada");
        if (name.length === 0 || name.length > 100) fail(`a thread name of ${name.length} characters`, text);
        displayName({ id: "1", username: text, global_name: randomString(rng) }, { nick: randomString(rng) });
      });
    },
    TIMEOUT_MS,
  );

  it("keeps the recorded payloads readable (the fuzzing starts from real shapes)", () => {
    for (const message of messages) expect(readMessagePayload(message)).toBeDefined();
  });
});

describe("what the fuzzing found, pinned", () => {
  it("an empty or non-numeric id is not a message (it made an author without an id)", () => {
    const author = recorded.guildMention.author;
    expect(readMessagePayload({ ...recorded.guildMention, author: { ...author, id: "" } })).toBeUndefined();
    expect(readMessagePayload({ ...recorded.guildMention, channel_id: "a:b" })).toBeUndefined();
    expect(readMessagePayload({ ...recorded.guildMention, mention_roles: [""] })).toBeUndefined();
  });

  it("an empty username is not a user (the name of last resort must name someone)", () => {
    const author = { ...recorded.directMessage.author, username: "", global_name: null };
    expect(readMessagePayload({ ...recorded.directMessage, author })).toBeUndefined();
  });
});
