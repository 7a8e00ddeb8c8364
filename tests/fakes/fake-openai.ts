/**
 * A loopback fake of an OpenAI-compatible server that the real `openai` SDK talks to:
 * `POST /v1/chat/completions` (SSE stream, or one JSON object without `stream`), `GET /v1/models`,
 * `POST /v1/embeddings` (fake-embeddings.ts).
 * Script replies with `enqueue`; with none queued it echoes.
 */
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
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().nullish(),
  max_completion_tokens: z.number().nullish(),
});
export type OpenAIChatBody = z.infer<typeof chatBody>;

export interface FakeOpenAIOptions {
  /** Ids `/v1/models` lists; `null` makes the route answer 404, like servers without it. */
  models?: string[] | null;
  /** Behind a reverse proxy with basic auth: without these credentials, the proxy's HTML 401. */
  basicAuth?: BasicAuth;
  /** Require `Authorization: Bearer <apiKey>`; any other gets OpenAI's 401 `invalid_api_key`. */
  apiKey?: string;
  port?: number;
  /** Models `/v1/embeddings` embeds with. Default: `["nomic-embed-text"]`; any other gets a 404, `[]` always. */
  embeddingModels?: string[];
}

export interface FakeOpenAI {
  /** `http://127.0.0.1:<port>/v1`: pass as the SDK's baseURL. */
  readonly baseURL: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** The parsed bodies of the chat completion requests, in order. */
  chatBodies(): OpenAIChatBody[];
  enqueue(...replies: FakeReply[]): void;
  /** Replies to every request whose last user message contains `text` (after the queue is empty). */
  replyWhen(text: string, reply: FakeReply): void;
  setModels(models: string[] | null): void;
  dropConnections(): void;
  close(): Promise<void>;
}

export const defaultFakeModel = "llama3.2:latest";
const created = 1_735_689_600;

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  let models = options.models === undefined ? [defaultFakeModel] : options.models;
  const queue = new ReplyQueue();
  let completions = 0;
  const server: LoopbackServer = await startLoopbackServer(
    async (_request, response, recorded) => {
      if (refuseWithoutBasicAuth(recorded.headers, response, options.basicAuth)) return;
      if (options.apiKey !== undefined && recorded.headers.authorization !== `Bearer ${options.apiKey}`) {
        return sendJson(
          response,
          401,
          openAIError("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
        );
      }
      const route = `${recorded.method} ${recorded.path}`;
      if (route === "POST /v1/chat/completions") {
        completions += 1;
        return chat(
          response,
          recorded.body,
          queue.next(lastUserText(recorded.body)),
          `chatcmpl-fake-${completions}`,
          server.closing,
        );
      }
      if (route === "POST /v1/embeddings") return embed(response, recorded.body, options.embeddingModels);
      if (route === "GET /v1/models" && models !== null) {
        const data = models.map((id) => ({ id, object: "model", created, owned_by: "fake" }));
        return sendJson(response, 200, { object: "list", data });
      }
      sendJson(response, 404, openAIError(`Not found: ${recorded.path}`, "invalid_request_error", null));
    },
    { port: options.port },
  );

  return {
    baseURL: `http://127.0.0.1:${server.port}/v1`,
    port: server.port,
    requests: server.requests,
    chatBodies: () =>
      server.requests
        .filter((request) => request.path === "/v1/chat/completions")
        .map((request) => chatBody.parse(request.body)),
    enqueue: (...replies) => queue.enqueue(...replies),
    replyWhen: (text, reply) => queue.replyWhen(text, reply),
    setModels(next) {
      models = next;
    },
    dropConnections: () => server.dropConnections(),
    close: () => server.close(),
  };
}

function embed(
  response: ServerResponse,
  raw: unknown,
  embeddingModels: readonly string[] = [defaultFakeEmbedModel],
): void {
  const body = z.looseObject({ model: z.string(), input: z.unknown() }).safeParse(raw);
  const inputs = body.success ? embeddingInputs(body.data.input) : undefined;
  if (!body.success || inputs === undefined)
    return void sendJson(response, 400, openAIError("'input' is required", "invalid_request_error", null));
  const { model } = body.data;
  if (!embeddingModels.includes(model))
    return void sendJson(
      response,
      404,
      openAIError(
        `The model \`${model}\` does not exist or you do not have access to it.`,
        "invalid_request_error",
        "model_not_found",
      ),
    );
  const data = inputs.map((text, index) => ({ object: "embedding", index, embedding: fakeEmbedding(text) }));
  sendJson(response, 200, { object: "list", data, model, usage: { prompt_tokens: 0, total_tokens: 0 } });
}

async function chat(
  response: ServerResponse,
  raw: unknown,
  reply: FakeReply,
  id: string,
  closing: AbortSignal,
): Promise<void> {
  const parsed = chatBody.safeParse(raw);
  if (!parsed.success) {
    return sendJson(response, 400, openAIError("invalid request body", "invalid_request_error", null));
  }
  const body = parsed.data;
  if (reply.noResponse) return;
  if (reply.status !== undefined)
    return sendJson(response, reply.status, errorBody(reply, body.model), retryHeaders(reply));
  const plan = planReply(reply, body.messages, body.max_tokens ?? body.max_completion_tokens ?? undefined);
  if (body.stream !== true) return sendJson(response, 200, completion(id, body.model, plan));
  await streamReply(response, plan, sse(id, body, plan), closing);
}

function sse(id: string, body: OpenAIChatBody, plan: PlannedReply): StreamFormat {
  const includeUsage = body.stream_options?.include_usage === true;
  const event = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;
  // With include_usage every chunk carries `usage: null` except the last, usage-only one.
  const chunk = (delta: Record<string, string>, finishReason: string | null): string =>
    event({
      id,
      object: "chat.completion.chunk",
      created,
      model: body.model,
      system_fingerprint: "fp_fake",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    });
  const usage = {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
  };
  const opening = chunk({ role: "assistant", content: "" }, null);
  return {
    contentType: "text/event-stream; charset=utf-8",
    thinking: (text) => splitIntoChunks(text, 8).map((part) => chunk({ reasoning_content: part }, null)),
    // The role arrives with the first chunk; finish_reason rides on the last content chunk.
    chunk: (text, index, last) =>
      (index === 0 ? opening : "") + chunk({ content: text }, last ? plan.finishReason : null),
    errorLine: () => event(openAIError(plan.reply.error ?? "The server had an error", "server_error", null)),
    // vLLM: an error object without an `error` key, then [DONE] as if all were well.
    vendorError: () =>
      `${event({ object: "error", message: plan.reply.error ?? "internal error", type: "InternalServerError", param: null, code: 500 })}data: [DONE]\n\n`,
    finish: () =>
      (plan.chunks.length === 0 ? opening + chunk({}, plan.finishReason) : "") +
      (includeUsage
        ? event({ id, object: "chat.completion.chunk", created, model: body.model, choices: [], usage })
        : "") +
      "data: [DONE]\n\n",
  };
}

function completion(id: string, model: string, plan: PlannedReply): Record<string, unknown> {
  return {
    id,
    object: "chat.completion",
    created,
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: plan.chunks.join("") },
        logprobs: null,
        finish_reason: plan.finishReason,
      },
    ],
    usage: {
      prompt_tokens: plan.promptTokens,
      completion_tokens: plan.completionTokens,
      total_tokens: plan.promptTokens + plan.completionTokens,
    },
  };
}

function openAIError(message: string, type: string, code: string | null): Record<string, unknown> {
  return { error: { message, type, param: null, code } };
}

/** The wording and codes OpenAI (and llama.cpp for 400) use for each status. */
function errorBody(reply: FakeReply, model: string): Record<string, unknown> {
  const status = reply.status ?? 500;
  const code = reply.errorCode ?? null;
  if (status === 404) {
    const message = reply.error ?? `The model \`${model}\` does not exist or you do not have access to it.`;
    return openAIError(message, "invalid_request_error", reply.errorCode ?? "model_not_found");
  }
  if (status === 401) {
    return openAIError(
      reply.error ?? "Incorrect API key provided.",
      "invalid_request_error",
      code ?? "invalid_api_key",
    );
  }
  if (status === 429) {
    return openAIError(
      reply.error ?? "Rate limit reached. Please try again later.",
      "requests",
      code ?? "rate_limit_exceeded",
    );
  }
  if (status >= 500)
    return openAIError(
      reply.error ?? "The server had an error while processing your request.",
      "server_error",
      code,
    );
  return openAIError(reply.error ?? "Invalid request.", "invalid_request_error", code);
}
