/**
 * A persona folder built on disk with documents beside it, the real persona loader, the real
 * knowledge index (SQLite with FTS5 and sqlite-vec) and the real bot, talking to the fake Ollama
 * for both chat and embeddings.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { commands } from "../../commands/index.js";
import { type KnowledgeConfig, openKnowledge } from "../../src/app/open-knowledge.js";
import { type Bot, createBot } from "../../src/core/bot.js";
import type { AnsweredExchange } from "../../src/core/learning.js";
import { createLearning } from "../../src/feedback/learning.js";
import type { KnowledgeService } from "../../src/knowledge/knowledge-service.js";
import { createChatModel } from "../../src/model/create-chat-model.js";
import { loadPersonaDirectory, type PersonaDirectory } from "../../src/personas/persona-directory.js";
import { createStore } from "../../src/store/create-store.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { createRecordingLogger, type RecordingLogger } from "../helpers/recording-logger.js";

export interface KnowledgeWorld {
  root: string;
  ollama: FakeOllama;
  logger: RecordingLogger;
  /** Writes a file under the world's root (folders made as needed). */
  write(path: string, text: string): Promise<void>;
  remove(path: string): Promise<void>;
  open(options?: { embedModel?: string; watch?: boolean }): Promise<OpenWorld>;
  close(): Promise<void>;
}

export interface OpenWorld {
  personas: PersonaDirectory;
  knowledge: KnowledgeService;
  bot: Bot;
  /** What each completed answer handed to feedback (the record a rating is stored with). */
  answered: AnsweredExchange[];
  close(): Promise<void>;
}

export async function createKnowledgeWorld(
  options: { embeddingModels?: string[] } = {},
): Promise<KnowledgeWorld> {
  const root = await mkdtemp(join(tmpdir(), "troupe-knowledge-"));
  const ollama = await startFakeOllama({ embeddingModels: options.embeddingModels });
  const logger = createRecordingLogger();
  const opened: OpenWorld[] = [];
  return {
    root,
    ollama,
    logger,
    async write(path, text) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    },
    remove: (path) => rm(join(root, path)),
    async open(openOptions = {}) {
      const config: KnowledgeConfig = {
        EMBED_MODEL: openOptions.embedModel,
        KNOWLEDGE_DB: join(root, "data", "knowledge.sqlite"),
        OLLAMA_HOST: ollama.host,
        OPENAI_BASE_URL: undefined,
        OPENAI_API_KEY: undefined,
        EMBEDDED_THREADS: undefined,
      };
      // Watching: persona files reload too, and the knowledge follows their roots (as in main.ts).
      const watching = openOptions.watch ?? false;
      const personas = await loadPersonaDirectory(join(root, "personas"), {
        logger,
        watch: watching,
        debounceMs: 50,
      });
      const knowledge = await openKnowledge(config, {
        provider: "ollama",
        logger,
        watch: watching,
        ...(watching ? { reloads: personas } : {}),
      });
      const model = createChatModel({
        provider: "ollama",
        model: "llama3.2",
        contextTokens: 8192,
        ollamaHost: ollama.host,
        idleTimeoutMs: 10_000,
        retry: { maxAttempts: 1 },
      });
      const store = await createStore("memory://", { historyTtlMs: 3_600_000, maxTurns: 50 });
      const answered: AnsweredExchange[] = [];
      const learning = createLearning(store, { ttlMs: 3_600_000 });
      const bot = createBot({
        model,
        store,
        personas,
        commands,
        logger,
        knowledge,
        learning: {
          ...learning,
          answered: (exchange) => {
            answered.push(exchange);
            return learning.answered(exchange);
          },
        },
        settings: { defaultPersona: "support", contextTokens: 8192, replyTokens: 512 },
      });
      const world: OpenWorld = {
        personas,
        knowledge,
        bot,
        answered,
        async close() {
          await bot.stop();
          personas.close();
          await store.close();
          await knowledge.close();
        },
      };
      opened.push(world);
      return world;
    },
    async close() {
      for (const world of opened.splice(0)) await world.close().catch(() => undefined);
      await ollama.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
