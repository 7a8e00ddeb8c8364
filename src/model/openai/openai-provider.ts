/**
 * The provider for any OpenAI-compatible server (OpenAI, llama.cpp, vLLM, LM Studio, Ollama `/v1`, …),
 * through the openai SDK's Chat Completions streaming.
 */
import type OpenAI from "openai";
import type { ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { z } from "zod";
import type { ChatModel, ChatPart, ChatRequest, FinishReason, TokenUsage } from "../chat-model.js";
import { ModelError } from "../chat-model.js";
import { createIdleTimer } from "../idle-timeout.js";
import { checkOpenAI } from "./openai-check.js";
import { createOpenAIClient } from "./openai-client.js";
import { type SentCredentials, toOpenAIError } from "./openai-errors.js";

export interface OpenAIModelSettings {
  /**
   * e.g. `http://127.0.0.1:8080/v1`. A `user:password@` in it (a proxy with basic auth) is sent as
   * basic auth, unless `apiKey` is set: the key then wins and goes as the bearer token. A query
   * (`?api-version=…`, `?key=…`) is sent with every request.
   */
  baseURL: string;
  /** Local servers ignore it, but the SDK refuses to start without one. */
  apiKey?: string;
  model: string;
  /** Abort when no chunk arrived for this long (also before the first one). */
  idleTimeoutMs: number;
  /** The SDK's `timeout`: a bound on the wait for response headers only. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

/** vLLM sends mid-stream errors as `{"object":"error","message":…}`; the SDK only throws on an `error` key. */
const vendorErrorChunk = z.object({ object: z.literal("error"), message: z.string().optional() });

export function createOpenAIModel(settings: OpenAIModelSettings): ChatModel {
  const { client, server, credentials } = createOpenAIClient({
    baseURL: settings.baseURL,
    ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
    // Retrying is retry.ts's job; the SDK's own retries would also wait out any Retry-After, uncapped.
    maxRetries: 0,
    ...(settings.requestTimeoutMs === undefined ? {} : { timeout: settings.requestTimeoutMs }),
    ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
  });
  /** Where the requests go, as errors may name it, and with which credentials. */
  const target = { baseURL: server.display, credentials };
  return {
    description: `openai:${settings.model}`,
    stream: (request, options) => streamChat(client, settings, target, request, options?.signal),
    check: () => checkOpenAI(client, server.display, credentials, settings.model),
  };
}

async function* streamChat(
  client: OpenAI,
  settings: OpenAIModelSettings,
  target: { baseURL: string; credentials: SentCredentials },
  request: ChatRequest,
  callerSignal: AbortSignal | undefined,
): AsyncGenerator<ChatPart> {
  if (callerSignal?.aborted) return;
  const model = request.model ?? settings.model;
  const idle = createIdleTimer(settings.idleTimeoutMs, callerSignal);
  let finishReason: string | undefined;
  let usage: TokenUsage = {};
  try {
    const stream = await client.chat.completions.create(toParams(model, request), { signal: idle.signal });
    idle.touch();
    for await (const chunk of stream) {
      idle.touch();
      const vendorError = vendorErrorChunk.safeParse(chunk);
      if (vendorError.success) {
        throw new ModelError(
          "bad-response",
          `the server failed mid-stream: ${vendorError.data.message ?? ""}`,
        );
      }
      // `delta.reasoning_content` (llama.cpp, vLLM, DeepSeek) is never shown: only `content` is.
      const choice = chunk.choices[0];
      const text = choice?.delta?.content;
      if (text) {
        idle.pause();
        yield { type: "text-delta", text };
        idle.touch();
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage) {
        usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
      }
    }
  } catch (error) {
    if (error instanceof ModelError) throw error;
    if (idle.callerAborted) return;
    throw toOpenAIError(error, {
      model,
      ...target,
      idleTimeoutMs: settings.idleTimeoutMs,
      idleTimedOut: idle.timedOut,
    });
  } finally {
    idle.dispose();
  }
  // The SDK ends quietly on an abort and when `[DONE]` never came, so the reason is read here.
  if (idle.callerAborted) return;
  if (finishReason === undefined) {
    if (idle.timedOut) {
      throw new ModelError("timeout", `the server sent nothing for ${settings.idleTimeoutMs} ms`);
    }
    throw new ModelError("bad-response", "the stream ended early");
  }
  // A finish_reason followed by silence (no usage chunk, no [DONE]) is still a complete answer.
  yield { type: "finish", reason: toFinishReason(finishReason), usage };
}

function toParams(model: string, request: ChatRequest): ChatCompletionCreateParamsStreaming {
  const params: ChatCompletionCreateParamsStreaming = {
    model,
    messages: request.messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.topP !== undefined) params.top_p = request.topP;
  if (request.maxTokens !== undefined) params.max_tokens = request.maxTokens;
  if (request.stop !== undefined && request.stop.length > 0) params.stop = request.stop;
  return params;
}

function toFinishReason(reason: string): FinishReason {
  if (reason === "stop") return "stop";
  if (reason === "length") return "length";
  return "other";
}
