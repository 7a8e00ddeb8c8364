/**
 * Forgetting one person on every backend (memory, SQLite, a real Redis): their turns and the answers
 * to them leave every conversation of the platform, with their ratings, the exchange records of
 * their questions (and others' ratings of those), their `/feedback` pointers and their DM's persona;
 * everyone else's turns and records stay exactly as they were, and so does the same id on another
 * platform.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncomingMessage, Platform } from "../../src/core/message.js";
import { createLearning } from "../../src/feedback/learning.js";
import type { ConversationStore, Turn } from "../../src/store/conversation-store.js";
import { createStore } from "../../src/store/create-store.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { exchangesIn, ratingsIn } from "./records.js";

const LIMITS = { historyTtlMs: 60 * 60_000, maxTurns: 100 };

function incoming(platform: Platform, conversationId: string, userId: string, name: string): IncomingMessage {
  return {
    platform,
    conversationId,
    channelId: "c",
    author: { id: userId, name, canManageChannel: false, canManageServer: false },
    text: "",
    isDirect: false,
    attachments: [],
  };
}

const user = (id: string, name: string, content: string, at: number): Turn => ({
  role: "user",
  content,
  author: { id, name },
  at,
});
const assistant = (content: string, at: number): Turn => ({
  role: "assistant",
  content,
  persona: "tutor",
  at,
});

/** A shared channel, Ada's DM, Bob's DM and a Slack channel where someone has Ada's Discord id. */
async function seed(store: ConversationStore) {
  const learning = createLearning(store, { ttlMs: LIMITS.historyTtlMs });
  const general = `discord:G1:C1:${randomUUID()}`;
  const adaDm = `discord:dm:1001${Math.floor(Math.random() * 1e6)}`;
  const adaId = adaDm.slice("discord:dm:".length);
  const bobDm = "discord:dm:2002";
  const slack = `slack:T1:C9:${randomUUID()}`;
  await store.appendTurns(general, [user(adaId, "Ada", "I am Ada", 1), assistant("hi Ada", 2)], {
    order: 10,
  });
  await store.appendTurns(general, [user("2002", "Bob", "I am Bob", 3), assistant("hi Bob", 4)], {
    order: 11,
  });
  await store.appendTurns(general, [user(adaId, "Ada", "unanswered", 5)], { order: 12 });
  await store.appendTurns(
    general,
    [user("2002", "Bob", "what did Ada say?", 6), assistant("she said hi", 7)],
    {
      order: 13,
    },
  );
  await store.appendTurns(adaDm, [user(adaId, "Ada", "secret", 8), assistant("kept", 9)], { order: 14 });
  await store.appendTurns(bobDm, [user("2002", "Bob", "mine", 8), assistant("yours", 9)], { order: 15 });
  await store.appendTurns(slack, [user(adaId, "Ada", "other platform", 8), assistant("stays", 9)], {
    order: 16,
  });
  await store.setBinding(`conversation:${adaDm}`, "coder");
  await store.setBinding(`conversation:${bobDm}`, "coder");

  const answered = (message: IncomingMessage, answer: string, messageId: string) =>
    learning.answered({
      message,
      persona: "tutor",
      messages: [{ role: "system", content: "You are the tutor." }],
      answer,
      messageIds: [messageId],
      speakers: [message.author.name],
      at: 1,
    });
  await answered(incoming("discord", general, adaId, "Ada"), "hi Ada", "m1");
  await answered(incoming("discord", general, "2002", "Bob"), "hi Bob", "m2");
  await answered(incoming("slack", slack, adaId, "Ada"), "stays", "C9:1.0");
  // Ada rates Bob's answer, Bob rates Ada's, Bob rates his own; the Slack person rates theirs.
  await learning.react({
    platform: "discord",
    messageId: "m2",
    userId: adaId,
    rating: "good",
    removed: false,
  });
  await learning.react({
    platform: "discord",
    messageId: "m1",
    userId: "2002",
    rating: "bad",
    removed: false,
  });
  await learning.rateLast(incoming("discord", general, "2002", "Bob"), "good");
  await learning.react({
    platform: "slack",
    messageId: "C9:1.0",
    userId: adaId,
    rating: "good",
    removed: false,
  });
  return { learning, general, adaDm, adaId, bobDm, slack };
}

function backendSuite(open: () => Promise<ConversationStore>) {
  it("removes the person's turns, answers to them and records, and nothing of anyone else's", async () => {
    const store = await open();
    try {
      const { learning, general, adaDm, adaId, bobDm, slack } = await seed(store);
      const before = await store.getHistory(general);
      const bobsExchanges = [...before.slice(2, 4), ...before.slice(5)];

      expect(await learning.confirmForget("discord", adaId)).toBeUndefined();
      expect(await learning.previewForget("discord", adaId)).toEqual({
        ratings: 1,
        exchanges: 1,
        bindings: 1,
      });
      expect(await store.getHistory(adaDm)).toHaveLength(2);
      expect(await learning.confirmForget("discord", adaId)).toEqual({
        turns: 5,
        conversations: 2,
        ratings: 1,
        exchanges: 1,
        bindings: 1,
      });

      expect((await store.getHistory(general)).map((turn) => turn.content)).toEqual([
        "I am Bob",
        "hi Bob",
        "what did Ada say?",
        "she said hi",
      ]);
      expect(await store.getHistory(general)).toEqual(bobsExchanges);
      expect(await store.getHistory(adaDm)).toEqual([]);
      expect((await store.getHistory(bobDm)).map((turn) => turn.content)).toEqual(["mine", "yours"]);
      expect((await store.getHistory(slack)).map((turn) => turn.content)).toEqual([
        "other platform",
        "stays",
      ]);
      expect(await store.getBinding(`conversation:${adaDm}`)).toBeUndefined();
      expect(await store.getBinding(`conversation:${bobDm}`)).toBe("coder");

      expect((await exchangesIn(store)).map((exchange) => exchange.answer).sort()).toEqual([
        "hi Bob",
        "stays",
      ]);
      const ratings = await ratingsIn(store);
      expect(ratings).toHaveLength(2); // Bob's of his own answer, and the Slack person's
      expect(ratings.map((rating) => rating.rating).sort()).toEqual(["good", "good"]);
      // The reaction on the forgotten answer now finds nothing.
      expect(
        await learning.react({
          platform: "discord",
          messageId: "m1",
          userId: "2002",
          rating: "bad",
          removed: false,
        }),
      ).toBe("no-answer");
      // Done once: a second round finds nothing.
      await learning.previewForget("discord", adaId);
      expect(await learning.confirmForget("discord", adaId)).toEqual({
        turns: 0,
        conversations: 0,
        ratings: 0,
        exchanges: 0,
        bindings: 0,
      });
    } finally {
      await store.close();
    }
  });
}

describe("forgetting a person: memory://", () => {
  backendSuite(() => createStore("memory://", LIMITS));
});

describe("forgetting a person: sqlite://", () => {
  let directory = "";
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "troupe-forget-"));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });
  backendSuite(() => createStore(`sqlite://${join(directory, `${randomUUID()}.sqlite`)}`, LIMITS));
});

describe("forgetting a person: redis://", () => {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  backendSuite(() => {
    if (server === undefined) throw new Error("redis-server did not start");
    return createStore(server.url, LIMITS);
  });
});
