/**
 * `/feedback` and `/forget-me` typed in the terminal, through the console's line handler, the real
 * bot and commands and a real memory store: the last answer is rated, a change of mind replaces the
 * rating, and forgetting asks for confirmation, then deletes and says what it deleted.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import { createLineHandler } from "../../src/connectors/console/console-on-message.js";
import { createBot } from "../../src/core/bot.js";
import { createLearning } from "../../src/feedback/learning.js";
import type { ConversationStore } from "../../src/store/conversation-store.js";
import { createStore } from "../../src/store/create-store.js";
import { staticCatalog, testPersona } from "../helpers/personas.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";
import { createRecordingSink, type RecordingSink } from "../helpers/recording-sink.js";
import { createScriptedModel } from "../helpers/scripted-model.js";
import { exchangesIn, ratingsIn } from "./records.js";

let store: ConversationStore;
let sink: RecordingSink;
let handleLine: (line: string) => Promise<void>;

beforeEach(async () => {
  store = await createStore("memory://", { historyTtlMs: 60 * 60_000, maxTurns: 50 });
  const bot = createBot({
    model: createScriptedModel(),
    store,
    personas: staticCatalog([testPersona("tutor", { systemPrompt: "You are the tutor." })]),
    commands,
    logger: createRecordingLogger(),
    learning: createLearning(store, { ttlMs: 60 * 60_000 }),
    settings: { defaultPersona: "tutor", contextTokens: 4096, replyTokens: 512 },
  });
  sink = createRecordingSink();
  handleLine = createLineHandler({ bot, identity: { userName: "ada" }, sink });
  return () => store.close();
});

describe("terminal /feedback", () => {
  it("rates the last answer, replaces the rating on a change of mind, keeps the comment", async () => {
    await handleLine("/feedback good");
    expect(sink.replies.at(-1)?.text).toBe("I have no answer to you here to rate yet (or it is too old).");
    await handleLine("what is 2+2?");
    await handleLine("and 3+3?");
    await handleLine("/feedback good");
    expect(sink.replies.at(-1)?.text).toBe("Thanks, noted.");
    await handleLine("/feedback bad it forgot the units");
    expect(sink.replies.at(-1)?.text).toBe("Thanks, your earlier rating of that answer is replaced.");

    const exchanges = await exchangesIn(store);
    expect(exchanges).toHaveLength(2);
    const last = exchanges.find((exchange) => exchange.answer === "echo: and 3+3?");
    expect(last?.messages.map((message) => message.content)).toEqual([
      "You are the tutor.",
      "what is 2+2?",
      "echo: what is 2+2?",
      "and 3+3?",
    ]);
    const ratings = await ratingsIn(store);
    expect(ratings).toHaveLength(1);
    expect(ratings[0]).toMatchObject({ exchange: last?.id, rating: "bad", comment: "it forgot the units" });
  });

  it("/forget-me asks first, then deletes the person's turns, ratings and exchanges and counts them", async () => {
    await handleLine("remember me");
    await handleLine("/feedback good");
    await handleLine("/forget-me confirm");
    expect(sink.replies.at(-1)?.text).toMatch(/^Nothing to confirm/);
    expect(await store.getHistory("console:ada")).toHaveLength(2);

    await handleLine("/forget-me");
    expect(sink.replies.at(-1)?.text).toBe(
      [
        "This deletes, for good:",
        "• every message of yours in my conversation histories here, and my answers to them",
        "• 1 record(s) of answers to your questions",
        "• 1 rating(s) you gave",
        "• 0 persona choice(s) for your DMs",
        "Send `/forget-me confirm` within 5 minutes to go ahead.",
      ].join("\n"),
    );
    await handleLine("/forget-me confirm");
    expect(sink.replies.at(-1)?.text).toBe(
      [
        "Done. I deleted:",
        "• 2 message(s) of yours and my answers to them, in 1 conversation(s)",
        "• 1 record(s) of answers to your questions",
        "• 1 rating(s) you gave",
        "• 0 persona choice(s) for your DMs",
      ].join("\n"),
    );
    expect(await store.getHistory("console:ada")).toEqual([]);
    expect(await store.listRecords("feedback:exchange:")).toEqual([]);
    expect(await store.listRecords("feedback:rating:")).toEqual([]);
    await handleLine("/forget-me confirm");
    expect(sink.replies.at(-1)?.text).toMatch(/^Nothing to confirm/);
  });
});
