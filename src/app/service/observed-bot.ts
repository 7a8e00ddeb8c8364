/**
 * The Bot as the service sees it: each message or command counted as it arrives, the conversations
 * with work in hand counted while it lasts, and each ReplySink the bot is handed wrapped so that
 * the answer it streams is measured (time to first text, duration, answers by platform and
 * persona) and, with traces on, gets its `platform.writes` span under the answer's span, which
 * ends when the event is done. Each event runs in its own answer context (answer-context.ts), the
 * thread that ties the model call and the writes to the event they belong to.
 */
import type { Bot } from "../../core/bot.js";
import type { IncomingMessage } from "../../core/message.js";
import type { ReplySink, StreamResult } from "../../core/reply-sink.js";
import { type AnswerContext, runInAnswerContext } from "./answer-context.js";
import type { ServiceMetrics } from "./metrics.js";
import type { AnswerTracer } from "./tracing.js";

export interface ObservedBotOptions {
  metrics: ServiceMetrics;
  tracer?: AnswerTracer;
}

/** OpenTelemetry's status code for an error (api's SpanStatusCode.ERROR), without loading the api. */
const SPAN_STATUS_ERROR = 2;

export function observeBot(bot: Bot, options: ObservedBotOptions): Bot {
  const { metrics, tracer } = options;
  /** Events in hand per conversation: the gauge counts conversations, not events. */
  const active = new Map<string, number>();

  function enter(conversationId: string): void {
    active.set(conversationId, (active.get(conversationId) ?? 0) + 1);
    metrics.activeConversations.set(active.size);
  }
  function leave(conversationId: string): void {
    const left = (active.get(conversationId) ?? 1) - 1;
    if (left > 0) active.set(conversationId, left);
    else active.delete(conversationId);
    metrics.activeConversations.set(active.size);
  }

  function observeSink(sink: ReplySink, answer: AnswerContext): ReplySink {
    const seconds = (since: number) => (Date.now() - since) / 1000;
    return {
      async post(text, postOptions) {
        const span =
          answer.span === undefined ? undefined : tracer?.startSpan("platform.post", { parent: answer.span });
        try {
          return await sink.post(text, postOptions);
        } finally {
          span?.end();
        }
      },
      async stream(deltas, streamOptions) {
        const persona = streamOptions.persona.name;
        answer.persona = persona;
        answer.span?.setAttribute("troupe.persona", persona);
        const labels = { platform: answer.platform, persona };
        const span =
          answer.span === undefined
            ? undefined
            : tracer?.startSpan("platform.writes", { parent: answer.span });
        async function* timed(): AsyncGenerator<string> {
          let first = true;
          for await (const delta of deltas) {
            if (first) {
              first = false;
              metrics.firstTextSeconds.observe(labels, seconds(answer.receivedAt));
            }
            yield delta;
          }
        }
        let result: StreamResult | undefined;
        try {
          result = await sink.stream(timed(), streamOptions);
          return result;
        } finally {
          const delivered =
            result !== undefined &&
            result.error === undefined &&
            result.deliveryError === undefined &&
            result.cutOff === undefined;
          if (delivered) {
            metrics.answersGiven.inc(labels);
            metrics.answerSeconds.observe(labels, seconds(answer.receivedAt));
          } else {
            span?.setStatus({ code: SPAN_STATUS_ERROR, message: result?.cutOff ?? "not delivered" });
          }
          span?.end();
        }
      },
    };
  }

  /** Runs one event in its own context: counted, measured, its answer span ended when it is done. */
  async function event(
    message: IncomingMessage,
    sink: ReplySink,
    handle: (sink: ReplySink) => Promise<void>,
  ): Promise<void> {
    metrics.messagesReceived.inc({ platform: message.platform });
    const answer: AnswerContext = {
      platform: message.platform,
      conversationId: message.conversationId,
      receivedAt: Date.now(),
    };
    enter(message.conversationId);
    try {
      await runInAnswerContext(answer, () => handle(observeSink(sink, answer)));
    } finally {
      leave(message.conversationId);
      answer.span?.end();
    }
  }

  return {
    ...bot,
    handleMessage: (message, sink) =>
      event(message, sink, (observed) => bot.handleMessage(message, observed)),
    runCommand: (name, commandOptions, message, sink) =>
      event(message, sink, (observed) => bot.runCommand(name, commandOptions, message, observed)),
  };
}
