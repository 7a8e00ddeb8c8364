/** Both providers against their fakes, behind one shape, for tests that must hold for each. */
import type { ChatModel } from "../../src/model/chat-model.js";
import { createOllamaModel } from "../../src/model/ollama/ollama-provider.js";
import { createOpenAIModel } from "../../src/model/openai/openai-provider.js";
import { startFakeOllama } from "../fakes/fake-ollama.js";
import { startFakeOpenAI } from "../fakes/fake-openai.js";
import type { FakeReply } from "../fakes/llm-fake-reply.js";

export interface FakeServer {
  enqueue(...replies: FakeReply[]): void;
  /** Every request that reached the fake, chat or not. */
  requestCount(): number;
  /** How many chat requests reached the fake. */
  chatRequestCount(): number;
  dropConnections(): void;
  close(): Promise<void>;
}

export interface Timeouts {
  idleTimeoutMs: number;
  requestTimeoutMs?: number;
}

export interface ProviderUnderTest {
  name: "ollama" | "openai";
  /** `withTimeouts` builds another model on the same fake with other timeouts. */
  start(): Promise<{ fake: FakeServer; model: ChatModel; withTimeouts(timeouts: Timeouts): ChatModel }>;
  /** The provider pointed at a port where nothing listens. */
  downModel(): Promise<ChatModel>;
}

const common = { model: "llama3.2", idleTimeoutMs: 5_000 };

type AnyFake = Omit<FakeServer, "chatRequestCount" | "requestCount"> & {
  requests: readonly unknown[];
  chatBodies(): readonly unknown[];
};

function wrap(fake: AnyFake): FakeServer {
  return {
    enqueue: (...replies) => fake.enqueue(...replies),
    dropConnections: () => fake.dropConnections(),
    close: () => fake.close(),
    chatRequestCount: () => fake.chatBodies().length,
    requestCount: () => fake.requests.length,
  };
}

export const providersUnderTest: ProviderUnderTest[] = [
  {
    name: "ollama",
    async start() {
      const fake = await startFakeOllama();
      const at = (timeouts: Partial<Timeouts> = {}) =>
        createOllamaModel({ ...common, host: fake.host, contextTokens: 2048, ...timeouts });
      return { fake: wrap(fake), model: at(), withTimeouts: at };
    },
    async downModel() {
      const fake = await startFakeOllama();
      await fake.close();
      return createOllamaModel({ ...common, host: fake.host, contextTokens: 2048 });
    },
  },
  {
    name: "openai",
    async start() {
      const fake = await startFakeOpenAI();
      const at = (timeouts: Partial<Timeouts> = {}) =>
        createOpenAIModel({ ...common, baseURL: fake.baseURL, ...timeouts });
      return { fake: wrap(fake), model: at(), withTimeouts: at };
    },
    async downModel() {
      const fake = await startFakeOpenAI();
      await fake.close();
      return createOpenAIModel({ ...common, baseURL: fake.baseURL });
    },
  },
];
