/**
 * Where a Slack answer's CPU goes inside troupe, measured in this process (no HTTP): troupe's core,
 * assembled as src/main.ts assembles it (personas from personas/, the store, feedback records, the
 * knowledge service, the bot), answering messages from an instant in-process model into a sink that
 * only keeps the text. Per message it does what one Slack mention asks of the core: two claims
 * (event id, message), the persona's bindings, the history read, the prompt, the stream, the turns
 * appended, the feedback record, the log line (to /dev/null: formatting and the write, no reader).
 * Messages go 32 at a time, each in a conversation of its own; a warm-up is not counted.
 *
 * Set beside `slack-load`'s CPU per event, it says how much of troupe's extra CPU is the core's
 * work and how much is the rest of the way (HTTP in and out, the model client, the Slack client).
 */
import { openSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { createConfiguredBot } from "../src/app/configured-bot.js";
import { createLogger } from "../src/app/create-logger.js";
import { loadPersonas } from "../src/app/load-personas.js";
import { openKnowledge } from "../src/app/open-knowledge.js";
import { openStore } from "../src/app/open-store.js";
import { loadConfig } from "../src/config.js";
import type { IncomingMessage } from "../src/core/message.js";
import type { ReplySink } from "../src/core/reply-sink.js";
import type { ChatModel } from "../src/model/chat-model.js";
import { makeTempDir, removeTempDir } from "./children.js";

const IN_FLIGHT = 32;

/** Answers with the question's words, one part each, at once: what the fake Ollama does over HTTP. */
const instantModel: ChatModel = {
  description: "instant",
  check: async () => ({ ok: true, model: "instant" }),
  async *stream(request) {
    const question = request.messages.at(-1)?.content ?? "";
    for (const word of question.split(" ")) yield { type: "text-delta", text: `${word} ` };
    yield { type: "finish", reason: "stop", usage: { promptTokens: 100, completionTokens: 5 } };
  },
};

function slackMention(index: number): IncomingMessage {
  const channel = `C${String(index).padStart(7, "0")}`;
  const ts = `1700200000.${String(index).padStart(6, "0")}`;
  return {
    platform: "slack",
    conversationId: `slack:T0001:${channel}:${ts}`,
    serverId: "T0001",
    channelId: channel,
    threadId: ts,
    author: { id: "UADA00001", name: "Ada", canManageChannel: false, canManageServer: false },
    text: `LOAD${index} hello there`,
    isDirect: false,
    attachments: [],
  };
}

export interface AnswerCost {
  store: string;
  messages: number;
  /** Microseconds of this process's CPU (user + system) per message, collections included. */
  cpuMicros: number;
}

async function measureStore(storeName: "memory" | "sqlite", messages: number): Promise<AnswerCost> {
  const dir = makeTempDir("troupe-answer-cost-");
  const config = loadConfig(
    {
      PERSONAS_DIR: "personas",
      STORE_URL: storeName === "memory" ? "memory://" : `sqlite://${join(dir, "troupe.sqlite")}`,
      KNOWLEDGE_DB: join(dir, "knowledge.sqlite"),
      MODEL_PROVIDER: "ollama",
    },
    { readDotenv: false },
  );
  const logger = createLogger(
    { ...config, LOG_FORMAT: "json" },
    { stdinIsTTY: false, stderrIsTTY: false },
    { stderr: pino.destination({ fd: openSync("/dev/null", "w"), sync: true }) },
  );
  const personas = await loadPersonas(config, logger);
  const store = await openStore(config, logger);
  const knowledge = await openKnowledge(config, {
    provider: "ollama",
    logger,
    watch: false,
    personas: personas.list(),
  });
  const bot = createConfiguredBot(config, { model: instantModel, store, personas, logger, knowledge });
  let answered = 0;
  const sink: ReplySink = {
    async post() {},
    async stream(deltas) {
      let text = "";
      for await (const delta of deltas) text += delta;
      answered++;
      return { text, messageIds: [`C:${answered}`] };
    },
  };
  const send = async (first: number, count: number) => {
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, lane) => {
        for (let index = first + lane; index < first + count; index += IN_FLIGHT) {
          // What slack-on-message.ts claims before the bot sees the message.
          await bot.claimEvent(`Ev${index}`);
          await bot.claimEvent(`T0001:C${index}:${index}`);
          await bot.handleMessage(slackMention(index), sink);
        }
      }),
    );
  };
  try {
    await send(1_000_000, Math.min(500, messages));
    const before = process.cpuUsage();
    answered = 0;
    await send(0, messages);
    const used = process.cpuUsage(before);
    if (answered !== messages) throw new Error(`answer-cost: ${answered} of ${messages} answered`);
    return {
      store: storeName,
      messages,
      cpuMicros: Math.round((used.user + used.system) / messages),
    };
  } finally {
    await bot.stop();
    await knowledge.close();
    await store.close();
    removeTempDir(dir);
  }
}

export async function benchAnswerCost(messages = 3_000): Promise<AnswerCost[]> {
  return [await measureStore("memory", messages), await measureStore("sqlite", messages)];
}

export function formatAnswerCost(costs: readonly AnswerCost[]): string[] {
  return [
    `answer cost in troupe's core, in-process (claims, bindings, history, prompt, stream, append, feedback record, log line), ${IN_FLIGHT} at once, instant model, CPU per message:`,
    ...costs.map((cost) => `  ${cost.store}: ${cost.cpuMicros} µs (${cost.messages} messages)`),
  ];
}
