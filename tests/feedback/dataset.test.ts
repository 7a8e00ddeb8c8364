/**
 * The dataset export on a known conversation: two people in a channel talk to the real bot (real
 * prompt building, a scripted model, a memory store), rate answers, and the export's records are
 * exactly the prompt the model saw plus the answer, with people as `Person 1`/`Person 2` and
 * secrets masked, in OpenAI and ShareGPT form; filters and stats count what they should.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import { type Bot, createBot } from "../../src/core/bot.js";
import type { IncomingMessage } from "../../src/core/message.js";
import {
  datasetLines,
  datasetStats,
  readRatedExchanges,
  selectExchanges,
} from "../../src/feedback/dataset.js";
import { keys } from "../../src/feedback/feedback-records.js";
import { createLearning } from "../../src/feedback/learning.js";
import { maskSensitive, passesLuhn } from "../../src/feedback/mask.js";
import type { ConversationStore } from "../../src/store/conversation-store.js";
import { createStore } from "../../src/store/create-store.js";
import { staticCatalog, testPersona } from "../helpers/personas.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";
import { createRecordingSink } from "../helpers/recording-sink.js";
import { createScriptedModel } from "../helpers/scripted-model.js";

let store: ConversationStore;
let bot: Bot;

beforeEach(async () => {
  store = await createStore("memory://", { historyTtlMs: 60 * 60_000, maxTurns: 50 });
  bot = createBot({
    model: createScriptedModel(),
    store,
    personas: staticCatalog([
      testPersona("tutor", { systemPrompt: "You are the tutor." }),
      testPersona("coder", { systemPrompt: "You are the coder." }),
    ]),
    commands,
    logger: createRecordingLogger(),
    learning: createLearning(store, { ttlMs: 60 * 60_000 }),
    settings: { defaultPersona: "tutor", contextTokens: 4096, replyTokens: 512 },
  });
  return () => store.close();
});

function from(userId: string, name: string, text: string): IncomingMessage {
  return {
    platform: "discord",
    conversationId: "discord:G1:C1",
    serverId: "G1",
    channelId: "C1",
    author: { id: userId, name, canManageChannel: false, canManageServer: false },
    text,
    isDirect: false,
    attachments: [],
  };
}

const say = (userId: string, name: string, text: string) =>
  bot.handleMessage(from(userId, name, text), createRecordingSink());
const rate = (userId: string, name: string, rating: string) =>
  bot.runCommand("feedback", { rating }, from(userId, name, ""), createRecordingSink());

describe("dataset export", () => {
  it("writes the exact records: prompt as seen, answer, pseudonyms, masks", async () => {
    await say("111", "Ada", "mail me at ada@example.com, Bob");
    await say("222", "Bob", "my card is 4111 1111 1111 1111 and my key sk-abcdefghijklmnopqrstuvwx");
    await say("111", "Ada", "call me on +44 20 7946 0958");
    await rate("111", "Ada", "good");
    await rate("222", "Bob", "bad");
    await say("333", "Cleo", "unrated question");

    const rated = await readRatedExchanges(store);
    const exchanges = selectExchanges(rated, { persona: "tutor" });
    expect(exchanges).toHaveLength(2);
    expect(datasetLines(exchanges, "openai").map((line) => JSON.parse(line))).toEqual([
      {
        messages: [
          { role: "system", content: "You are the tutor." },
          { role: "user", content: "Person 1: mail me at [email], Person 2" },
          { role: "assistant", content: "echo: Person 1: mail me at [email], Person 2" },
          { role: "user", content: "Person 2: my card is [card] and my key [token]" },
          { role: "assistant", content: "echo: Person 2: my card is [card] and my key [token]" },
        ],
      },
      {
        messages: [
          { role: "system", content: "You are the tutor." },
          { role: "user", content: "Person 1: mail me at [email], Person 2" },
          { role: "assistant", content: "echo: Person 1: mail me at [email], Person 2" },
          { role: "user", content: "Person 2: my card is [card] and my key [token]" },
          { role: "assistant", content: "echo: Person 2: my card is [card] and my key [token]" },
          { role: "user", content: "Person 1: call me on [phone]" },
          { role: "assistant", content: "echo: Person 1: call me on [phone]" },
        ],
      },
    ]);
    const [bobs] = datasetLines(exchanges, "sharegpt").map((line) => JSON.parse(line));
    expect(bobs).toEqual({
      conversations: [
        { from: "system", value: "You are the tutor." },
        { from: "human", value: "Person 1: mail me at [email], Person 2" },
        { from: "gpt", value: "echo: Person 1: mail me at [email], Person 2" },
        { from: "human", value: "Person 2: my card is [card] and my key [token]" },
        { from: "gpt", value: "echo: Person 2: my card is [card] and my key [token]" },
      ],
    });

    const good = selectExchanges(rated, { persona: "tutor", rating: "good" });
    expect(good.map((exchange) => exchange.answer)).toEqual(["echo: Ada: call me on +44 20 7946 0958"]);
    expect(selectExchanges(rated, { persona: "tutor", since: Date.now() + 60_000 })).toEqual([]);
    expect(selectExchanges(rated, { persona: "coder" })).toEqual([]);
    expect(datasetStats(rated)).toBe("persona\tgood\tbad\trated exchanges\ntutor\t1\t1\t2\n");
  });
});

describe("the order of exchanges", () => {
  it("keeps the questions' order for answers given in the same millisecond, whatever their ids", async () => {
    const exchange = (id: string, order: number, question: string) => ({
      id,
      platform: "discord",
      conversation: "c",
      asker: "p",
      persona: "tutor",
      messages: [{ role: "user", content: question }],
      answer: `echo: ${question}`,
      speakers: [],
      messageIds: [],
      at: 1_700_000_000_000,
      order,
    });
    // The later question's id sorts first: only its order key can put it second.
    await store.putRecords([
      { key: keys.exchange("b-first"), value: exchange("b-first", 1, "first question") },
      { key: keys.exchange("a-second"), value: exchange("a-second", 2, "second question") },
      { key: keys.rating("b-first", "p"), value: { exchange: "b-first", rater: "p", rating: "good", at: 1 } },
      {
        key: keys.rating("a-second", "p"),
        value: { exchange: "a-second", rater: "p", rating: "good", at: 1 },
      },
    ]);
    const rated = await readRatedExchanges(store);
    expect(rated.map(({ exchange: { id } }) => id)).toEqual(["b-first", "a-second"]);
  });

  it("records the question's order with each answered exchange", async () => {
    await say("111", "Ada", "first");
    await say("111", "Ada", "second");
    const orders = (await store.listRecords("feedback:exchange:")).map(
      ({ value }) => (value as { order?: unknown }).order,
    );
    expect(orders).toHaveLength(2);
    expect(orders.every((order) => typeof order === "number")).toBe(true);
    expect(new Set(orders).size).toBe(2);
  });
});

describe("masking", () => {
  it("masks e-mail, phone, Luhn-valid cards and tokens, and leaves ordinary numbers", () => {
    expect(passesLuhn("4111111111111111")).toBe(true);
    expect(passesLuhn("4111111111111112")).toBe(false);
    expect(
      maskSensitive(
        [
          "a.b+c@mail.example.org",
          "(555) 123-4567",
          "5500-0000-0000-0004",
          "4111 1111 1111 1112",
          "xoxb-1234567890-abcdefghij",
          "xapp-1-A0123-456-abcdef",
          "MTA1234567890123456789012.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789ab",
          "deadbeefdeadbeefdeadbeefdeadbeef",
          "QWxhZGRpbjpvcGVuIHNlc2FtZQ9abcdefgh12==",
          "in 2024, 3+3=6, version 1.2.3, order 12345",
        ].join(" | "),
      ),
    ).toBe(
      "[email] | [phone] | [card] | 4111 1111 1111 1112 | [token] | [token] | [token] | [token] | [token] | in 2024, 3+3=6, version 1.2.3, order 12345",
    );
  });
});
