/**
 * The Ollama provider, on the native `/api/chat`.
 *
 * Why native and not Ollama's OpenAI-compatible `/v1`: only the native API takes `options.num_ctx`;
 * `/v1` ignores it and Ollama silently truncates prompts longer than its default context.
 */
import { type AbortableAsyncIterator, type ChatResponse, Ollama, type Options } from "ollama";
import type { ChatModel, ChatPart, ChatRequest, FinishReason } from "../chat-model.js";
import { ModelError } from "../chat-model.js";
import { createIdleTimer } from "../idle-timeout.js";
import { parseRetryAfter } from "../retry-after.js";
import { authorizationHeader, parseServerUrl, type ServerUrl } from "../server-url.js";
import { withJsonErrorBodies } from "./json-error-bodies.js";
import { checkOllama } from "./ollama-check.js";
import { toOllamaError } from "./ollama-errors.js";
import { createWatchedFetch } from "./watched-fetch.js";

export interface OllamaModelSettings {
  /**
   * e.g. `http://127.0.0.1:11434`. The client does not read OLLAMA_HOST itself: config passes it.
   * A `user:password@` in it (Ollama behind a reverse proxy) is sent as basic auth, never in the URL.
   */
  host: string;
  model: string;
  /** Sent as `num_ctx` on every request. */
  contextTokens: number;
  /** Abort when no chunk arrived for this long (also before the first one). */
  idleTimeoutMs: number;
  /** Bound on the wait for response headers (connect, queue, model load); none when omitted. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

export function createOllamaModel(settings: OllamaModelSettings): ChatModel {
  const baseFetch = withJsonErrorBodies(settings.fetch ?? globalThis.fetch);
  const server = parseServerUrl(settings.host);
  return {
    description: `ollama:${settings.model}`,
    stream: (request, options) => streamChat(settings, server, baseFetch, request, options?.signal),
    check: () => checkOllama(server, settings.model, baseFetch),
  };
}

async function* streamChat(
  settings: OllamaModelSettings,
  server: ServerUrl,
  baseFetch: typeof fetch,
  request: ChatRequest,
  callerSignal: AbortSignal | undefined,
): AsyncGenerator<ChatPart> {
  if (callerSignal?.aborted) return;
  const model = request.model ?? settings.model;
  const idle = createIdleTimer(settings.idleTimeoutMs, callerSignal);
  const watched = createWatchedFetch(baseFetch, idle.signal, settings.requestTimeoutMs);
  // One client per request: its fetch carries this request's signal and keeps its response headers.
  const client = new Ollama({ host: server.url, fetch: watched.fetch, headers: authorizationHeader(server) });
  let iterator: AbortableAsyncIterator<ChatResponse> | undefined;
  let finished = false;
  try {
    iterator = await client.chat({
      model,
      messages: request.messages,
      stream: true,
      options: toOptions(settings.contextTokens, request),
    });
    idle.touch();
    for await (const chunk of iterator) {
      // `message.thinking` (reasoning models) is never shown: only `content` is the answer.
      const text = chunk.message?.content;
      if (text) {
        idle.pause();
        yield { type: "text-delta", text };
        idle.touch();
      }
      if (chunk.done) {
        finished = true;
        idle.dispose();
        yield {
          type: "finish",
          reason: toFinishReason(chunk.done_reason),
          usage: { promptTokens: chunk.prompt_eval_count, completionTokens: chunk.eval_count },
        };
        return;
      }
    }
    // The client throws when the body ends without `done: true`; this only guards the contract.
    throw new ModelError("bad-response", "the stream ended early");
  } catch (error) {
    if (idle.callerAborted) return;
    if (error instanceof ModelError) throw error;
    throw toOllamaError(error, {
      model,
      host: server.display,
      sentCredentials: server.basicAuthorization !== undefined,
      idleTimeoutMs: settings.idleTimeoutMs,
      requestTimeoutMs: settings.requestTimeoutMs,
      idleTimedOut: idle.timedOut,
      headersTimedOut: watched.headersTimedOut,
      responded: watched.response !== undefined,
      retryAfterMs: parseRetryAfter(watched.response?.headers),
    });
  } finally {
    idle.dispose();
    // The consumer stopped early (break, abort): close the HTTP stream.
    if (!finished) iterator?.abort();
  }
}

function toOptions(contextTokens: number, request: ChatRequest): Partial<Options> {
  const options: Partial<Options> = { num_ctx: contextTokens };
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.topP !== undefined) options.top_p = request.topP;
  if (request.maxTokens !== undefined) options.num_predict = request.maxTokens;
  if (request.stop !== undefined && request.stop.length > 0) options.stop = request.stop;
  return options;
}

function toFinishReason(doneReason: string | undefined): FinishReason {
  if (doneReason === "stop") return "stop";
  if (doneReason === "length") return "length";
  return "other";
}
