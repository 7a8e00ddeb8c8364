/** Both providers against their fakes, behind one shape, for tests that must hold for each. */
import type { ChatModel } from "../../src/model/chat-model.js";
import { createOllamaModel } from "../../src/model/ollama.js";
import { createOpenAIModel } from "../../src/model/openai.js";
import { startFakeOllama } from "../fakes/fake-ollama.js";
import { startFakeOpenAI } from "../fakes/fake-openai.js";
import type { FakeReply } from "../fakes/llm-fake-reply.js";

export interface FakeServer {
  enqueue(...replies: FakeReply[]): void;
  /** How many chat requests reached the fake. */
  chatRequestCount(): number;
  dropConnections(): void;
  close(): Promise<void>;
}

export interface ProviderUnderTest {
  name: "ollama" | "openai";
  start(): Promise<{ fake: FakeServer; model: ChatModel }>;
  /** The provider pointed at a port where nothing listens. */
  downModel(): Promise<ChatModel>;
}

const common = { model: "llama3.2", idleTimeoutMs: 5_000 };

export const providersUnderTest: ProviderUnderTest[] = [
  {
    name: "ollama",
    async start() {
      const fake = await startFakeOllama();
      const model = createOllamaModel({ ...common, host: fake.host, contextTokens: 2048 });
      return { fake: { ...fake, chatRequestCount: () => fake.chatBodies().length }, model };
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
      const model = createOpenAIModel({ ...common, baseURL: fake.baseURL });
      return { fake: { ...fake, chatRequestCount: () => fake.chatBodies().length }, model };
    },
    async downModel() {
      const fake = await startFakeOpenAI();
      await fake.close();
      return createOpenAIModel({ ...common, baseURL: fake.baseURL });
    },
  },
];
