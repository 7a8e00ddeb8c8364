/**
 * The real thing on loopback: the real Bot (shipped personas, commands, memory store, Ollama
 * provider) against the fake Ollama, and the real Slack connector (Bolt, Web API client, Socket
 * Mode client) against the fake Slack. Helpers send Slack events and wait for outcomes.
 */
import { join } from "node:path";
import { commands } from "../../../commands/index.js";
import type { OnFatal } from "../../../src/connectors/connector.js";
import {
  createSlackConnector,
  type SlackConnector,
  type SlackConnectorOptions,
} from "../../../src/connectors/slack/slack-connector.js";
import { type Bot, createBot } from "../../../src/core/bot.js";
import { createLearning } from "../../../src/feedback/learning.js";
import type { ChatModel } from "../../../src/model/chat-model.js";
import { createChatModel } from "../../../src/model/create-chat-model.js";
import { loadPersonaDirectory, type PersonaDirectory } from "../../../src/personas/persona-directory.js";
import type { ConversationStore } from "../../../src/store/conversation-store.js";
import { createStore } from "../../../src/store/create-store.js";
import { defaultFakeModel, type FakeOllama, startFakeOllama } from "../../fakes/fake-ollama.js";
import { type FakeMessage, type FakeSlack, startFakeSlack } from "../../fakes/fake-slack/fake-slack.js";
import {
  eventCallback,
  type MessageEventInput,
  messageEvent,
  slashCommandBody,
} from "../../fakes/fake-slack/payloads.js";
import { type SignOptions, sendSignedEvent } from "../../fakes/fake-slack/signed-requests.js";
import { createRecordingLogger, type RecordingLogger } from "../../helpers/recording-logger.js";
import { repoRoot } from "../../helpers/run-troupe.js";

export const SIGNING_SECRET = "fake-signing-secret-0123456789";
export const PACE_MS = 200;
export const ADA = "UADA00001";
export const BOB = "UBOB00001";

export interface HarnessOptions {
  mode?: "socket" | "http";
  nativeStreaming?: boolean;
  adminUsers?: string[];
  scopes?: string[];
  /** Share a store with another harness (two processes, one Redis). */
  store?: ConversationStore;
  /** Wraps the model the bot talks to (the bench times it). */
  wrapModel?: (model: ChatModel) => ChatModel;
  /** Where the connector reports a refusal for good (Socket Mode that cannot reconnect). */
  onFatal?: OnFatal;
  /** Default: the shipped `personas/`. */
  personasDir?: string;
  /** PUBLIC_URL, and the avatar handler HTTP mode serves /avatars/ with. */
  publicUrl?: string;
  avatars?: SlackConnectorOptions["avatars"];
}

export interface Harness {
  fake: FakeSlack;
  ollama: FakeOllama;
  bot: Bot;
  store: ConversationStore;
  personas: PersonaDirectory;
  connector: SlackConnector;
  logger: RecordingLogger;
  /** `http://127.0.0.1:<port>/slack/events` in HTTP mode. */
  eventsUrl: string;
  /** Sends a message event (Socket Mode envelope); returns the envelope and event ids. */
  send(
    input: MessageEventInput,
    options?: { eventId?: string; retryAttempt?: number },
  ): { envelopeId: string; eventId: string };
  /** Sends a signed HTTP event (HTTP mode). */
  sendHttp(
    input: MessageEventInput,
    options?: Partial<SignOptions> & { eventId?: string },
  ): ReturnType<typeof sendSignedEvent>;
  command(
    command: string,
    text: string,
    options?: { channel?: string; user?: string },
  ): { envelopeId: string; responseUrl: string };
  waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
  /** The bot's messages in a thread once an answer there has settled. */
  answerIn(channel: string, threadTs?: string, count?: number): Promise<FakeMessage[]>;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeSlack({ scopes: options.scopes });
  fake.addUser({ id: ADA, name: "ada", displayName: "Ada" });
  fake.addUser({ id: BOB, name: "bob", realName: "Bob Builder" });
  const ollama = await startFakeOllama();
  const logger = createRecordingLogger();
  const personas = await loadPersonaDirectory(options.personasDir ?? join(repoRoot, "personas"), {
    logger,
    watch: false,
  });
  const store =
    options.store ??
    (await createStore("memory://", { historyTtlMs: 60 * 60_000, maxTurns: 50 }, { logger }));
  const model = createChatModel({
    provider: "ollama",
    model: defaultFakeModel,
    contextTokens: 8192,
    ollamaHost: ollama.host,
    idleTimeoutMs: 10_000,
    retry: { maxAttempts: 1 },
  });
  const bot = createBot({
    model: options.wrapModel?.(model) ?? model,
    store,
    personas,
    commands,
    logger,
    learning: createLearning(store, { ttlMs: 60 * 60_000 }),
    settings: { defaultPersona: "tutor", contextTokens: 8192, replyTokens: 512 },
  });
  const http = options.mode === "http";
  const connector = createSlackConnector({
    bot,
    logger,
    botToken: fake.identity.botToken,
    appToken: http ? undefined : fake.identity.appToken,
    signingSecret: http ? SIGNING_SECRET : undefined,
    apiUrl: fake.apiUrl,
    port: 0,
    host: "127.0.0.1",
    adminUsers: options.adminUsers ?? [],
    nativeStreaming: options.nativeStreaming ?? false,
    updateIntervalMs: PACE_MS,
    socketPingTimeoutMs: 1_000,
    onFatal: options.onFatal,
    publicUrl: options.publicUrl,
    avatars: options.avatars,
  });
  await connector.start();

  async function waitFor<T>(
    check: () => T | undefined | false,
    what: string,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  return {
    fake,
    ollama,
    bot,
    store,
    personas,
    connector,
    logger,
    eventsUrl: `http://127.0.0.1:${connector.port ?? 0}/slack/events`,
    send(input, sendOptions = {}) {
      const body = eventCallback(fake.identity, messageEvent(input), sendOptions.eventId);
      const envelopeId = fake.socket.send("events_api", body, { retryAttempt: sendOptions.retryAttempt });
      return { envelopeId, eventId: String(body.event_id) };
    },
    sendHttp(input, signOptions = {}) {
      const body = eventCallback(fake.identity, messageEvent(input), signOptions.eventId);
      return sendSignedEvent(`http://127.0.0.1:${connector.port ?? 0}/slack/events`, body, {
        secret: SIGNING_SECRET,
        ...signOptions,
      });
    },
    command(command, text, commandOptions = {}) {
      const responseUrl = fake.responseUrl();
      const body = slashCommandBody(fake.identity, {
        command,
        text,
        channel: commandOptions.channel ?? "CGENERAL1",
        user: commandOptions.user ?? ADA,
        responseUrl,
      });
      return { envelopeId: fake.socket.send("slash_commands", body), responseUrl };
    },
    waitFor,
    async answerIn(channel, threadTs, count = 1) {
      await waitFor(
        () => fake.botMessages(channel, threadTs).length >= count,
        `${count} answer(s) in ${channel}`,
      );
      await connector.settled();
      return fake.botMessages(channel, threadTs);
    },
    async stop() {
      await connector.stop();
      await bot.stop();
      personas.close();
      if (options.store === undefined) await store.close();
      await fake.close();
      await ollama.close();
    },
  };
}
