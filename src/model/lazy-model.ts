/**
 * A ChatModel whose provider module is imported on first use (a check or a stream), not at start:
 * the openai SDK costs about 0.1 s and 5 MB to load, which a troupe that talks to Ollama should
 * not pay. The module is imported once; every call after that goes straight to the model it built.
 */
import type { ChatModel, ChatPart, ChatRequest, ModelHealth, StreamOptions } from "./chat-model.js";

export function lazyModel(description: string, load: () => Promise<ChatModel>): ChatModel {
  let loading: Promise<ChatModel> | undefined;
  const model = () => {
    loading ??= load();
    return loading;
  };
  return {
    description,
    async *stream(request: ChatRequest, options?: StreamOptions): AsyncGenerator<ChatPart> {
      yield* (await model()).stream(request, options);
    },
    async check(): Promise<ModelHealth> {
      return (await model()).check();
    },
  };
}
