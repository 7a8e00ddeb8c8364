/**
 * A loopback fake of the Ollama server that the real `ollama` client talks to:
 * `POST /api/chat` (NDJSON stream, or one JSON object with `stream: false`), `GET /api/tags`,
 * `GET /api/version`, `GET /`, `POST /api/embed` (fake-embeddings.ts).
 * Script replies with `enqueue`; with none queued it echoes.
 * Creating models as `npm run persona -- compile` does: `HEAD`/`POST /api/blobs/:digest` (the upload's
 * bytes must hash to the digest) and `POST /api/create` (`from` must be a listed model, every adapter
 * a stored blob; the new model is then listed).
 */
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import { z } from "zod";
import { defaultFakeEmbedModel, embeddingInputs, fakeEmbedding } from "./fake-embeddings.js";
import {
  type FakeReply,
  lastUserText,
  type PlannedReply,
  planReply,
  ReplyQueue,
  retryHeaders,
  splitIntoChunks,
} from "./llm-fake-reply.js";
import { type StreamFormat, streamReply } from "./llm-fake-stream.js";
import {
  type LoopbackServer,
  type RecordedRequest,
  sendJson,
  startLoopbackServer,
} from "./loopback-server.js";
import { type BasicAuth, refuseWithoutBasicAuth } from "./proxy-basic-auth.js";

export type { FakeReply } from "./llm-fake-reply.js";
export type { RecordedRequest } from "./loopback-server.js";

const chatBody = z.looseObject({
  model: z.string(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.string() })).default([]),
  stream: z.boolean().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});
export type OllamaChatBody = z.infer<typeof chatBody>;

const createBody = z.looseObject({
  model: z.string(),
  from: z.string().optional(),
  system: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.string() })).optional(),
  adapters: z.record(z.string(), z.string()).optional(),
  stream: z.boolean().optional(),
});
export type OllamaCreateBody = z.infer<typeof createBody>;

export interface FakeOllamaOptions {
  /** Names `/api/tags` lists. Default: `["llama3.2:latest"]`. */
  models?: string[];
  /**
   * Stand behind a reverse proxy that asks for basic auth: any request without exactly these
   * credentials gets the proxy's 401 (an HTML page, as nginx sends), never reaching Ollama.
   */
  basicAuth?: BasicAuth;
  /** Default 0: a free port. */
  port?: number;
  /**
   * Models `/api/embed` embeds with. Default: `["nomic-embed-text"]`. Any other name gets Ollama's
   * 404 (unknown) or, for a chat model of `models`, its 400 "does not support embeddings"; `[]` is
   * a server without an embedding model.
   */
  embeddingModels?: string[];
}

export interface FakeOllama {
  /** `http://127.0.0.1:<port>`: pass as the Ollama host. */
  readonly host: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** The parsed bodies of the `/api/chat` requests, in order. */
  chatBodies(): OllamaChatBody[];
  /** The parsed bodies of the `/api/create` requests, in order. */
  createBodies(): OllamaCreateBody[];
  /** Digests of the blobs uploaded (`sha256:<hex>`), in order. */
  readonly blobs: ReadonlyMap<string, Buffer>;
  enqueue(...replies: FakeReply[]): void;
  /** Replies to every request whose last user message contains `text` (after the queue is empty). */
  replyWhen(text: string, reply: FakeReply): void;
  setModels(models: string[]): void;
  /** Destroy open connections but keep listening. */
  dropConnections(): void;
  /** TCP connections accepted so far. */
  connectionsOpened(): number;
  close(): Promise<void>;
}

export const defaultFakeModel = "llama3.2:latest";
const createdAt = "2025-01-01T00:00:00.000Z";

export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  let models = options.models ?? [defaultFakeModel];
  const queue = new ReplyQueue();
  const blobs = new Map<string, Buffer>();
  const server: LoopbackServer = await startLoopbackServer(
    async (_request, response, recorded) => {
      if (refuseWithoutBasicAuth(recorded.headers, response, options.basicAuth)) return;
      const route = `${recorded.method} ${recorded.path}`;
      if (route === "POST /api/chat")
        return chat(response, recorded.body, queue.next(lastUserText(recorded.body)), server.closing);
      if (route === "GET /api/tags") return sendJson(response, 200, { models: models.map(tagEntry) });
      const blob = /^\/api\/blobs\/(sha256:[0-9a-f]{64})$/.exec(recorded.path)?.[1];
      if (blob !== undefined && recorded.method === "HEAD") {
        response.writeHead(blobs.has(blob) ? 200 : 404);
        response.end();
        return;
      }
      if (blob !== undefined && recorded.method === "POST") {
        const actual = `sha256:${createHash("sha256").update(recorded.raw).digest("hex")}`;
        if (actual !== blob) return sendJson(response, 400, { error: "digest mismatch" });
        blobs.set(blob, recorded.raw);
        response.writeHead(201);
        response.end();
        return;
      }
      if (route === "POST /api/create") {
        const parsed = createBody.safeParse(recorded.body);
        if (!parsed.success) return sendJson(response, 400, { error: "invalid request body" });
        const body = parsed.data;
        if (body.from !== undefined && !models.some((name) => sameModel(name, body.from ?? ""))) {
          // What Ollama says when `from` is neither local nor in the registry.
          return sendJson(response, 500, { error: "pull model manifest: file does not exist" });
        }
        const missing = Object.values(body.adapters ?? {}).find((digest) => !blobs.has(digest));
        if (missing !== undefined) return sendJson(response, 400, { error: `invalid digest ${missing}` });
        const created = body.model.includes(":") ? body.model : `${body.model}:latest`;
        models = [...models.filter((name) => name !== created), created];
        return sendJson(response, 200, { status: "success" });
      }
      if (route === "GET /api/version") return sendJson(response, 200, { version: "0.12.0" });
      if (route === "POST /api/embed") return embed(response, recorded.body, models, options.embeddingModels);
      if (route === "GET /" || route === "HEAD /") {
        response.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        response.end("Ollama is running");
        return;
      }
      sendJson(response, 404, { error: "404 page not found" });
    },
    { port: options.port },
  );

  return {
    host: `http://127.0.0.1:${server.port}`,
    port: server.port,
    requests: server.requests,
    chatBodies: () =>
      server.requests
        .filter((request) => request.path === "/api/chat")
        .map((request) => chatBody.parse(request.body)),
    createBodies: () =>
      server.requests
        .filter((request) => request.path === "/api/create")
        .map((request) => createBody.parse(request.body)),
    blobs,
    enqueue: (...replies) => queue.enqueue(...replies),
    replyWhen: (text, reply) => queue.replyWhen(text, reply),
    setModels(next) {
      models = next;
    },
    dropConnections: () => server.dropConnections(),
    connectionsOpened: () => server.connectionsOpened(),
    close: () => server.close(),
  };
}

function embed(
  response: ServerResponse,
  raw: unknown,
  chatModels: readonly string[],
  embeddingModels: readonly string[] = [defaultFakeEmbedModel],
): void {
  const body = z.looseObject({ model: z.string(), input: z.unknown() }).safeParse(raw);
  const inputs = body.success ? embeddingInputs(body.data.input) : undefined;
  if (!body.success || inputs === undefined)
    return void sendJson(response, 400, { error: "invalid input type" });
  const { model } = body.data;
  const known = (names: readonly string[]) =>
    names.some((name) => name === model || name === `${model}:latest`);
  if (!known(embeddingModels)) {
    if (known(chatModels))
      return void sendJson(response, 400, { error: `"${model}" does not support embeddings` });
    return void sendJson(response, 404, { error: `model "${model}" not found, try pulling it first` });
  }
  sendJson(response, 200, { model, embeddings: inputs.map((text) => fakeEmbedding(text)) });
}

async function chat(
  response: ServerResponse,
  raw: unknown,
  reply: FakeReply,
  closing: AbortSignal,
): Promise<void> {
  const parsed = chatBody.safeParse(raw);
  if (!parsed.success) return sendJson(response, 400, { error: "invalid request body" });
  const body = parsed.data;
  if (reply.noResponse) return;
  if (reply.status !== undefined) {
    return sendJson(
      response,
      reply.status,
      { error: reply.error ?? errorText(reply.status, body.model) },
      retryHeaders(reply),
    );
  }
  const numPredict = body.options?.num_predict;
  const plan = planReply(reply, body.messages, typeof numPredict === "number" ? numPredict : undefined);
  // Ollama streams unless told `stream: false` (the server default is true).
  if (body.stream === false)
    return sendJson(response, 200, finalObject(body.model, plan, plan.chunks.join("")));
  await streamReply(response, plan, ndjson(body.model, plan), closing);
}

function ndjson(model: string, plan: PlannedReply): StreamFormat {
  const line = (value: unknown): string => `${JSON.stringify(value)}\n`;
  const partial = (message: Record<string, string>): string =>
    line({
      model,
      created_at: createdAt,
      message: { role: "assistant", content: "", ...message },
      done: false,
    });
  return {
    contentType: "application/x-ndjson",
    thinking: (text) => splitIntoChunks(text, 8).map((part) => partial({ thinking: part })),
    chunk: (text) => partial({ content: text }),
    // Ollama reports mid-stream failures as an error line under the original 200 status.
    errorLine: () => line({ error: plan.reply.error ?? "an error was encountered while running the model" }),
    vendorError: () => line({ error: plan.reply.error ?? "unexpected server error" }),
    finish: () => line(finalObject(model, plan, "")),
  };
}

function finalObject(model: string, plan: PlannedReply, content: string): Record<string, unknown> {
  return {
    model,
    created_at: createdAt,
    message: { role: "assistant", content },
    done: true,
    done_reason: plan.finishReason,
    total_duration: 1_000_000,
    load_duration: 100_000,
    prompt_eval_count: plan.promptTokens,
    prompt_eval_duration: 200_000,
    eval_count: plan.completionTokens,
    eval_duration: 700_000,
  };
}

/** Ollama's own wording for each status (server/routes.go, server/sched.go). */
function errorText(status: number, model: string): string {
  if (status === 404) return `model "${model}" not found, try pulling it first`;
  if (status === 400) return "invalid request";
  if (status === 429) return "too many requests";
  if (status === 503) return "server busy, please try again.  maximum pending requests exceeded";
  return "an error was encountered while running the model";
}

/** `llama3.2` is `llama3.2:latest`. */
function sameModel(listed: string, asked: string): boolean {
  return listed === asked || listed === `${asked}:latest`;
}

function tagEntry(name: string): Record<string, unknown> {
  return {
    name,
    model: name,
    modified_at: createdAt,
    size: 2_019_393_189,
    digest: "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
    details: {
      parent_model: "",
      format: "gguf",
      family: "llama",
      families: ["llama"],
      parameter_size: "3.2B",
      quantization_level: "Q4_K_M",
    },
  };
}
