/**
 * The Ollama provider, on the native `/api/chat`.
 *
 * Why native and not Ollama's OpenAI-compatible `/v1`: only the native API takes `options.num_ctx`;
 * `/v1` ignores it and Ollama silently truncates prompts longer than its default context.
 */
import type { Options } from "ollama";
import type { ChatModel, ChatPart, ChatRequest, FinishReason } from "../chat-model.js";
import { ModelError } from "../chat-model.js";
import { createIdleTimer } from "../idle-timeout.js";
import { parseRetryAfter } from "../retry-after.js";
import { parseServerUrl, type ServerUrl } from "../server-url.js";
import { withJsonErrorBodies } from "./json-error-bodies.js";
import {
  type ChatCallState,
  type ChatWire,
  chatWire,
  type NdjsonLines,
  type OllamaChatChunk,
  OllamaStreamError,
  openChatStream,
} from "./ollama-chat-wire.js";
import { checkOllama } from "./ollama-check.js";
import { toOllamaError } from "./ollama-errors.js";

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
}

export function createOllamaModel(settings: OllamaModelSettings): ChatModel {
  const server = parseServerUrl(settings.host);
  // Streaming goes on the wire directly (ollama-chat-wire.ts says why); the check uses the client.
  const wire = chatWire(server.url, server.basicAuthorization);
  const checkFetch = withJsonErrorBodies(globalThis.fetch);
  return {
    description: `ollama:${settings.model}`,
    stream: (request, options) => streamChat(settings, server, wire, request, options?.signal),
    check: () => checkOllama(server, settings.model, checkFetch),
  };
}

async function* streamChat(
  settings: OllamaModelSettings,
  server: ServerUrl,
  wire: ChatWire,
  request: ChatRequest,
  callerSignal: AbortSignal | undefined,
): AsyncGenerator<ChatPart> {
  if (callerSignal?.aborted) return;
  const model = request.model ?? settings.model;
  const idle = createIdleTimer(settings.idleTimeoutMs, callerSignal);
  const state: ChatCallState = { status: undefined, headers: undefined, headersTimedOut: false };
  let finished = false;
  let lines: NdjsonLines | undefined;
  try {
    lines = await openChatStream(
      wire,
      {
        model,
        messages: request.messages,
        stream: true,
        options: toOptions(settings.contextTokens, request),
      },
      idle.signal,
      settings.requestTimeoutMs,
      state,
    );
    idle.touch();
    for (let chunk = await lines.next(); chunk !== undefined; chunk = await lines.next()) {
      // The lines one read brought go on as one delta: every yield is a hop through each layer
      // above (retry, visible text, the sink), and a busy process reads many lines at once.
      let text = "";
      let last: OllamaChatChunk | undefined;
      for (let line: OllamaChatChunk | undefined = chunk; line !== undefined; line = lines.ready()) {
        last = line;
        // An `{"error": …}` line sent under HTTP 200: the server failed mid-stream.
        if (line.error !== undefined) break;
        // `message.thinking` (reasoning models) is never shown: only `content` is the answer.
        text += line.message?.content ?? "";
        if (line.done === true) break;
      }
      if (text !== "") {
        idle.pause();
        yield { type: "text-delta", text };
        idle.touch();
      }
      if (last?.error !== undefined) throw new OllamaStreamError(last.error);
      if (last?.done === true) {
        finished = true;
        idle.dispose();
        yield {
          type: "finish",
          reason: toFinishReason(last.done_reason),
          usage: { promptTokens: last.prompt_eval_count, completionTokens: last.eval_count },
        };
        return;
      }
    }
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
      headersTimedOut: state.headersTimedOut,
      responded: state.status !== undefined,
      retryAfterMs: parseRetryAfter(state.headers),
    });
  } finally {
    // The consumer stopped early (break, abort): aborting the request's signal closes the HTTP stream.
    if (finished) {
      idle.dispose();
      lines?.release();
    } else idle.abort();
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
