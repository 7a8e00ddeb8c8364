/** An in-memory ChatModel for core tests: each call takes the next script, and records the request. */
import {
  type ChatModel,
  type ChatPart,
  type ChatRequest,
  ModelError,
  type ModelHealth,
  type StreamOptions,
} from "../../src/model/chat-model.js";

export type Script =
  | { deltas: string[]; reason?: "stop" | "length" }
  | { deltas: string[]; failWith: ModelError }
  /** Yields the deltas then waits until released (or aborted): for ordering tests. */
  | { deltas: string[]; gate: Promise<void> };

export interface ScriptedModel extends ChatModel {
  readonly requests: ChatRequest[];
  enqueue(...scripts: Script[]): void;
}

/** With nothing queued, answers `echo: <last user message>` in two deltas. */
export function createScriptedModel(): ScriptedModel {
  const queue: Script[] = [];
  const requests: ChatRequest[] = [];
  return {
    description: "scripted:test",
    requests,
    enqueue: (...scripts) => queue.push(...scripts),
    async check(): Promise<ModelHealth> {
      return { ok: true, model: "test" };
    },
    async *stream(request: ChatRequest, options: StreamOptions = {}): AsyncGenerator<ChatPart> {
      requests.push(structuredClone(request));
      const last = request.messages[request.messages.length - 1]?.content ?? "";
      const script = queue.shift() ?? { deltas: ["echo: ", last] };
      for (const text of script.deltas) {
        if (options.signal?.aborted) return;
        yield { type: "text-delta", text };
      }
      if ("failWith" in script) throw script.failWith;
      // Like a real provider, an abort ends the wait for the next token.
      if ("gate" in script) await Promise.race([script.gate, aborted(options.signal)]);
      if (options.signal?.aborted) return;
      const reason = "reason" in script && script.reason !== undefined ? script.reason : "stop";
      yield { type: "finish", reason, usage: { promptTokens: 10, completionTokens: script.deltas.length } };
    },
  };
}

export function modelError(code: ModelError["code"]): ModelError {
  return new ModelError(code, `scripted ${code}`);
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
