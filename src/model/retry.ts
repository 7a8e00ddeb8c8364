/**
 * Retries a model stream that failed before it produced anything.
 * Once a delta has reached the consumer it may already be on a user's screen, so a failure after
 * that is final: a retry would repeat or contradict text the user has seen.
 */
import type { ChatModel, ChatPart, ChatRequest, ModelErrorCode, StreamOptions } from "./chat-model.js";
import { isModelError, type ModelError } from "./chat-model.js";

export interface RetryInfo {
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
  error: ModelError;
}

export interface RetryPolicy {
  /** Attempts in all, the first included: 1 means never retry. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest server-requested wait (Retry-After) we accept; longer and we give up at once. */
  maxRetryAfterMs?: number;
  /** Resolves after `ms`, or early when `signal` aborts (it must not reject). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (info: RetryInfo) => void;
  /** In [0, 1): the jitter source. */
  random?: () => number;
}

const retryableCodes: ReadonlySet<ModelErrorCode> = new Set(["unavailable", "rate-limited"]);
const defaultMaxRetryAfterMs = 30_000;

export function withRetry(model: ChatModel, policy: RetryPolicy): ChatModel {
  return {
    description: model.description,
    stream: (request, options) => streamWithRetry(model, policy, request, options),
    check: () => model.check(),
  };
}

async function* streamWithRetry(
  model: ChatModel,
  policy: RetryPolicy,
  request: ChatRequest,
  options: StreamOptions | undefined,
): AsyncGenerator<ChatPart> {
  const signal = options?.signal;
  const sleep = policy.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    let yielded = false;
    try {
      for await (const part of model.stream(request, options)) {
        yielded = true;
        yield part;
      }
      return;
    } catch (error) {
      if (yielded || !isModelError(error) || !retryableCodes.has(error.code)) throw error;
      if (attempt >= policy.maxAttempts || signal?.aborted) throw error;
      const delayMs = retryDelay(policy, attempt, error);
      if (delayMs === undefined) throw error;
      policy.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, signal);
      // Aborted while waiting: end quietly, as the contract says an abort does.
      if (signal?.aborted) return;
    }
  }
}

/** The wait before the next attempt, or undefined when the server asks for more than we accept. */
export function retryDelay(policy: RetryPolicy, attempt: number, error: ModelError): number | undefined {
  if (error.retryAfterMs !== undefined) {
    const cap = policy.maxRetryAfterMs ?? defaultMaxRetryAfterMs;
    return error.retryAfterMs <= cap ? Math.max(0, error.retryAfterMs) : undefined;
  }
  // Exponential backoff with "equal jitter": half fixed, half random, so concurrent
  // conversations hitting the same busy server do not retry in lockstep.
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const random = policy.random ?? Math.random;
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
