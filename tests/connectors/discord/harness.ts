/**
 * Troupe on the fake Discord, end to end: the real bot (commands, personas from `personas/`, a
 * memory store, the Ollama provider talking to the fake Ollama) behind the real Discord connector
 * (discord.js against the fake Discord's REST and gateway). Loopback only.
 */
import { setTimeout as delay } from "node:timers/promises";
import { afterEach } from "vitest";
import { commands } from "../../../commands/index.js";
import type { Connector } from "../../../src/connectors/connector.js";
import type { DiscordConnectorOptions } from "../../../src/connectors/discord/discord-connector.js";
import { createDiscordConnector } from "../../../src/connectors/discord/discord-connector.js";
import { type Bot, createBot } from "../../../src/core/bot.js";
import { createLearning } from "../../../src/feedback/learning.js";
import { createChatModel } from "../../../src/model/create-chat-model.js";
import { loadPersonaDirectory, type PersonaDirectory } from "../../../src/personas/persona-directory.js";
import type { ConversationStore } from "../../../src/store/conversation-store.js";
import { createStore } from "../../../src/store/create-store.js";
import {
  type FakeDiscord,
  type FakeDiscordOptions,
  startFakeDiscord,
} from "../../fakes/fake-discord/fake-discord.js";
import { type FakeOllama, startFakeOllama } from "../../fakes/fake-ollama.js";
import { createRecordingLogger, type RecordingLogger } from "../../helpers/recording-logger.js";

export interface Harness {
  discord: FakeDiscord;
  ollama: FakeOllama;
  logger: RecordingLogger;
  personas: PersonaDirectory;
  store: ConversationStore;
  bot: Bot;
  connector: Connector;
  /** Log lines with this message so far. */
  logged(message: string): number;
  close(): Promise<void>;
}

export interface HarnessOptions {
  fake?: FakeDiscordOptions;
  /** Connector options over the defaults; a function gets the fake first (for its ids). */
  connector?:
    | Partial<Omit<DiscordConnectorOptions, "bot" | "logger">>
    | ((discord: FakeDiscord) => Partial<Omit<DiscordConnectorOptions, "bot" | "logger">>);
  /** A fake Ollama started already (the harness closes it), and where the model should call it. */
  ollama?: FakeOllama;
  modelHost?: string;
  /** Don't start the connector (tests that expect start() to fail). */
  start?: boolean;
  /** Default: the shipped `personas/`. */
  personasDir?: string;
  /** Default: memory:// (the bench also runs it over sqlite://). */
  storeUrl?: string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const ollama = options.ollama ?? (await startFakeOllama());
  const discord = await startFakeDiscord(options.fake);
  const logger = createRecordingLogger();
  const personas = await loadPersonaDirectory(options.personasDir ?? "personas", { logger, watch: false });
  const store = await createStore(options.storeUrl ?? "memory://", {
    historyTtlMs: 24 * 60 * 60 * 1000,
    maxTurns: 200,
  });
  const model = createChatModel({
    provider: "ollama",
    model: "llama3.2",
    contextTokens: 8192,
    ollamaHost: options.modelHost ?? ollama.host,
    idleTimeoutMs: 20_000,
    // One attempt: a scripted failure reaches the user at once.
    retry: { maxAttempts: 1 },
  });
  const bot = createBot({
    model,
    store,
    personas,
    commands,
    logger,
    learning: createLearning(store, { ttlMs: 24 * 60 * 60 * 1000 }),
    settings: { defaultPersona: "tutor", contextTokens: 8192, replyTokens: 1024 },
  });
  const connector = createDiscordConnector({
    bot,
    logger,
    token: discord.token,
    apiUrl: discord.apiUrl,
    registerCommands: false,
    autoThread: false,
    personaWebhooks: false,
    ...(typeof options.connector === "function" ? options.connector(discord) : options.connector),
  });
  const harness: Harness = {
    discord,
    ollama,
    logger,
    personas,
    store,
    bot,
    connector,
    logged: (message) => logger.lines.filter((line) => line.message === message).length,
    async close() {
      await bot.stop();
      await connector.stop();
      personas.close();
      await store.close();
      await discord.close();
      await ollama.close();
    },
  };
  if (options.start ?? true) {
    try {
      await connector.start();
    } catch (error) {
      await harness.close();
      throw error;
    }
  }
  return harness;
}

/** Polls until `check` holds (or `withinMs` passes) and returns its last answer: no timing in assertions. */
export async function eventually(check: () => boolean, withinMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await delay(25);
  }
}

/** The bot's messages in a channel (its own and its persona webhooks'), oldest first. */
export function botMessages(harness: Harness, channelId: string) {
  const { discord } = harness;
  return discord
    .messagesIn(channelId)
    .filter((message) => message.authorId === discord.ids.bot || message.webhook !== undefined);
}

/**
 * The conversation in a model request: its user and assistant turns without the persona's few-shot
 * examples (and without system messages: the prompt and the post-history reminder).
 */
export function conversationIn(harness: Harness, request: number, persona = "tutor"): string[] {
  const examples = harness.personas.get(persona)?.examples.length ?? 0;
  const body = harness.ollama.chatBodies()[request];
  return (body?.messages ?? [])
    .filter((message) => message.role !== "system")
    .slice(examples * 2)
    .map((message) => message.content);
}

/** `<@id>`: how a person mentions someone in Discord's message text. */
export const mention = (id: string) => `<@${id}>`;

/**
 * For a test file's top level: a `start` that gives each test its own harness, closed after the
 * test whatever happened in it.
 */
export function harnessPerTest(): (options?: HarnessOptions) => Promise<Harness> {
  let current: Harness | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options = {}) => {
    current = await startHarness(options);
    return current;
  };
}
