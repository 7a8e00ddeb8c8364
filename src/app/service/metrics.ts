/**
 * The Prometheus metrics troupe serves on /metrics (prom-client). One registry per process, made
 * here and handed to the decorators that move it, never the library's global registry: a test can
 * build two side by side, and nothing else in the process can add to what is served.
 *
 * Labels are bounded by configuration, never by users: platform (three), persona (the persona
 * files), model error code (the ModelErrorCode union). A conversation id is never a label.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Seconds: a first word within 100 ms up to a long answer of two minutes. */
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];

export interface ServiceMetrics {
  readonly registry: Registry;
  readonly messagesReceived: Counter<"platform">;
  readonly answersGiven: Counter<"platform" | "persona">;
  readonly answerSeconds: Histogram<"platform" | "persona">;
  readonly firstTextSeconds: Histogram<"platform" | "persona">;
  readonly modelErrors: Counter<"code">;
  readonly platformWrites: Counter<"platform">;
  readonly rateLimitWaits: Counter<"platform">;
  readonly activeConversations: Gauge;
  readonly tokens: Counter<"direction">;
}

export function createServiceMetrics(): ServiceMetrics {
  const registry = new Registry();
  // Process CPU, memory, event-loop lag and open handles: what an operator looks at first.
  collectDefaultMetrics({ register: registry, prefix: "troupe_" });
  const registers = [registry];
  return {
    registry,
    messagesReceived: new Counter({
      name: "troupe_messages_received_total",
      help: "Chat messages and commands handed to the bot, by platform.",
      labelNames: ["platform"],
      registers,
    }),
    answersGiven: new Counter({
      name: "troupe_answers_total",
      help: "Answers streamed to a platform to their end, by platform and persona.",
      labelNames: ["platform", "persona"],
      registers,
    }),
    answerSeconds: new Histogram({
      name: "troupe_answer_duration_seconds",
      help: "From the message reaching the bot to the answer's last write.",
      labelNames: ["platform", "persona"],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    firstTextSeconds: new Histogram({
      name: "troupe_time_to_first_text_seconds",
      help: "From the message reaching the bot to the answer's first visible text.",
      labelNames: ["platform", "persona"],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    modelErrors: new Counter({
      name: "troupe_model_errors_total",
      help: "Model calls that failed (after retries), by ModelError code.",
      labelNames: ["code"],
      registers,
    }),
    platformWrites: new Counter({
      name: "troupe_platform_writes_total",
      help: "Write requests (POST, PUT, PATCH, DELETE) sent to a platform's API.",
      labelNames: ["platform"],
      registers,
    }),
    rateLimitWaits: new Counter({
      name: "troupe_rate_limit_waits_total",
      help: "Platform answers of 429: each one makes troupe wait before writing again.",
      labelNames: ["platform"],
      registers,
    }),
    activeConversations: new Gauge({
      name: "troupe_active_conversations",
      help: "Conversations with a message being handled now.",
      registers,
    }),
    tokens: new Counter({
      name: "troupe_tokens_total",
      help: "Tokens the model reported: direction in (the prompt) or out (the answer).",
      labelNames: ["direction"],
      registers,
    }),
  };
}

/**
 * `troupe_ready{part}`: /readyz as a metric (1 ready, 0 not), computed at each scrape, so an alert
 * rule can say which part is not ready without a probe of its own.
 */
export function registerReadinessGauge(
  metrics: ServiceMetrics,
  report: () => Promise<{ parts: Record<string, string> }>,
): void {
  new Gauge({
    name: "troupe_ready",
    help: "Whether each part /readyz checks is ready (1) or not (0): model, each platform, troupe.",
    labelNames: ["part"],
    registers: [metrics.registry],
    async collect() {
      const { parts } = await report();
      this.reset();
      for (const [part, state] of Object.entries(parts)) this.set({ part }, state === "ready" ? 1 : 0);
    },
  });
}

/**
 * `troupe_answers_waiting`: events whose turn has come but which wait for one of the
 * MAX_CONCURRENT_ANSWERS places, read at each scrape. Above zero for long: the model (or the
 * limit) is slower than the room.
 */
export function registerWaitingGauge(metrics: ServiceMetrics, waiting: () => number): void {
  new Gauge({
    name: "troupe_answers_waiting",
    help: "Events waiting for one of the MAX_CONCURRENT_ANSWERS places to be answered.",
    registers: [metrics.registry],
    collect() {
      this.set(waiting());
    },
  });
}
