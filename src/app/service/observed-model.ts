/**
 * The ChatModel as the service sees it: the same model, with each call counted (tokens in and out,
 * failures by ModelError code), each health check remembered for /readyz, and, with traces on, a
 * `model` span per call (time to first token, tokens) under the answer's span, which the first
 * call of an answer opens along with its `prompt` span (history read and prompt built, from the
 * event's arrival to this call). A decorator, so core and the providers know nothing of it.
 */
import { type ChatModel, type ChatPart, isModelError, type ModelHealth } from "../../model/chat-model.js";
import { currentAnswerContext } from "./answer-context.js";
import type { ServiceMetrics } from "./metrics.js";
import type { AnswerTracer } from "./tracing.js";
import type { Span } from "./tracing-types.js";

export interface ObservedModelOptions {
  metrics: ServiceMetrics;
  tracer?: AnswerTracer;
  /** Told of every answer from the model: a check's verdict, or a stream that produced a part. */
  onHealth?(health: ModelHealth): void;
}

/** OpenTelemetry's status code for an error (api's SpanStatusCode.ERROR), without loading the api. */
const SPAN_STATUS_ERROR = 2;

export function observeModel(model: ChatModel, options: ObservedModelOptions): ChatModel {
  const { metrics, tracer } = options;

  function openSpans(): Span | undefined {
    const answer = currentAnswerContext();
    if (tracer === undefined || answer === undefined) return undefined;
    const now = Date.now();
    if (answer.span === undefined) {
      answer.span = tracer.startSpan("answer", {
        startTime: answer.receivedAt,
        attributes: { "troupe.platform": answer.platform, "troupe.conversation": answer.conversationId },
      });
      tracer.startSpan("prompt", { parent: answer.span, startTime: answer.receivedAt }).end(now);
    }
    return tracer.startSpan("model", {
      parent: answer.span,
      startTime: now,
      attributes: { "troupe.model": model.description },
    });
  }

  async function* observed(parts: AsyncIterable<ChatPart>, span: Span | undefined): AsyncGenerator<ChatPart> {
    const started = Date.now();
    let first = true;
    try {
      for await (const part of parts) {
        if (first) {
          first = false;
          span?.setAttribute("troupe.time_to_first_token_ms", Date.now() - started);
          options.onHealth?.({ ok: true, model: model.description });
        }
        if (part.type === "finish") {
          const { promptTokens, completionTokens } = part.usage;
          if (promptTokens !== undefined) metrics.tokens.inc({ direction: "in" }, promptTokens);
          if (completionTokens !== undefined) metrics.tokens.inc({ direction: "out" }, completionTokens);
          span?.setAttributes({
            "troupe.finish": part.reason,
            ...(promptTokens === undefined ? {} : { "gen_ai.usage.input_tokens": promptTokens }),
            ...(completionTokens === undefined ? {} : { "gen_ai.usage.output_tokens": completionTokens }),
          });
        }
        yield part;
      }
    } catch (error) {
      const code = isModelError(error) ? error.code : "other";
      metrics.modelErrors.inc({ code });
      // The server gone or the model gone: not ready until an answer or a check says otherwise.
      if (isModelError(error) && (code === "unavailable" || code === "model-missing"))
        options.onHealth?.({ ok: false, code: error.code, message: error.message, hint: "" });
      span?.setStatus({ code: SPAN_STATUS_ERROR, message: code });
      throw error;
    } finally {
      span?.end();
    }
  }

  return {
    get description() {
      return model.description;
    },
    stream(request, streamOptions) {
      // Opened now, not when iteration starts: the prompt span ends where the model call begins.
      return observed(model.stream(request, streamOptions), openSpans());
    },
    async check() {
      const health = await model.check();
      options.onHealth?.(health);
      return health;
    },
  };
}
