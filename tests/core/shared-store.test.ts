/**
 * Two bots (two instances) on one real Redis: a persona bound on one and a reset made on one are
 * seen by the other at once (nothing of either is cached per process), and one person's messages
 * reaching different instances are answered in order.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { commands } from "../../commands/index.js";
import { type Bot, createBot } from "../../src/core/bot.js";
import type { IncomingMessage } from "../../src/core/message.js";
import type { ConversationStore } from "../../src/store/conversation-store.js";
import { createStore } from "../../src/store/create-store.js";
import { staticCatalog, testPersona } from "../helpers/personas.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";
import { createRecordingSink } from "../helpers/recording-sink.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";
import { createScriptedModel, type ScriptedModel } from "../helpers/scripted-model.js";

const personas = staticCatalog([
  testPersona("tutor", { systemPrompt: "You are the tutor." }),
  testPersona("coder", { systemPrompt: "You are the coder." }),
]);

let server: RedisServer | undefined;
const stores: ConversationStore[] = [];
beforeAll(async () => {
  server = await startRedisServer();
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  await server?.stop();
});

async function instance(): Promise<{ bot: Bot; model: ScriptedModel }> {
  if (server === undefined) throw new Error("redis-server did not start");
  const store = await createStore(server.url, { historyTtlMs: 60_000, maxTurns: 50 });
  stores.push(store);
  const model = createScriptedModel();
  const bot = createBot({
    model,
    store,
    personas,
    commands,
    logger: createRecordingLogger(),
    settings: { defaultPersona: "tutor", contextTokens: 4096, replyTokens: 512 },
  });
  return { bot, model };
}

function said(text: string, conversation: string, author = "ada"): IncomingMessage {
  return {
    platform: "slack",
    conversationId: conversation,
    serverId: "T",
    channelId: "C",
    author: { id: author, name: author, canManageChannel: true, canManageServer: true },
    text,
    isDirect: false,
    attachments: [],
  };
}

describe("two instances sharing one Redis", () => {
  it("see each other's persona bindings and resets at once", async () => {
    const [a, b] = [await instance(), await instance()];
    const conversation = `slack:T:C:${Date.now()}`;
    await a.bot.handleMessage(said("persona coder", conversation), createRecordingSink());
    expect((await b.bot.currentPersona(said("", conversation))).persona.name).toBe("coder");
    await b.bot.handleMessage(said("remember this", conversation), createRecordingSink());
    await a.bot.handleMessage(said("reset", conversation), createRecordingSink());
    await b.bot.handleMessage(said("what did I say?", conversation), createRecordingSink());
    const contents = b.model.requests.at(-1)?.messages.map((entry) => entry.content);
    expect(contents).toEqual(["You are the coder.", "ada: what did I say?"]);
  });

  it("answers one person's second message, on another instance, after their first", async () => {
    const [a, b] = [await instance(), await instance()];
    const conversation = `slack:T:C:${Date.now()}.2`;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    a.model.enqueue({ deltas: ["first answer"], gate: held });
    const first = a.bot.handleMessage(said("first", conversation), createRecordingSink());
    await vi.waitFor(() => expect(a.model.requests).toHaveLength(1));
    const secondSink = createRecordingSink();
    const second = b.bot.handleMessage(said("second", conversation), secondSink);
    // Someone else on instance B is answered meanwhile.
    await b.bot.handleMessage(said("hello", conversation, "bob"), createRecordingSink());
    expect(b.model.requests).toHaveLength(1);
    expect(secondSink.replies).toEqual([]);
    release();
    await Promise.all([first, second]);
    // B's answer to "second" saw the first exchange, made on A.
    expect(b.model.requests.at(-1)?.messages.map((entry) => entry.content)).toContain("first answer");
  });
});
