/**
 * troupe as a service, the start-up step main calls right after the logger: the Prometheus
 * metrics, the optional traces (OTEL_EXPORTER_OTLP_ENDPOINT: the SDK loaded only then), the
 * readiness, and the endpoints on METRICS_PORT (a port in use stops start-up, naming it). It hands
 * back the decorators the next steps put around the model and the bot, and what the stop closes.
 * With neither METRICS_PORT nor the OTLP endpoint set nothing is observed: the bot is only made
 * able to drain, which the graceful stop needs in every mode.
 */
import packageJson from "../../../package.json" with { type: "json" };
import type { Config } from "../../config.js";
import type { Connector } from "../../connectors/connector.js";
import type { Bot } from "../../core/bot.js";
import type { Platform } from "../../core/message.js";
import type { Logger } from "../../lib/logger.js";
import type { ChatModel } from "../../model/chat-model.js";
import { avatarHandler } from "./avatar-route.js";
import { createDrainingBot, type DrainingBot } from "./draining-bot.js";
import type { ServiceMetrics } from "./metrics.js";
import { observeBot } from "./observed-bot.js";
import { observeModel } from "./observed-model.js";
import { countPlatformRequests } from "./platform-requests.js";
import { createReadiness } from "./readiness.js";
import { type ServiceEndpoints, startServiceEndpoints } from "./service-endpoints.js";
import { type AnswerTracer, createAnswerTracer } from "./tracing.js";

export type ServiceConfig = Pick<
  Config,
  | "METRICS_PORT"
  | "METRICS_HOST"
  | "OTEL_EXPORTER_OTLP_ENDPOINT"
  | "DISCORD_TOKEN"
  | "DISCORD_API_URL"
  | "SLACK_BOT_TOKEN"
  | "SLACK_API_URL"
  | "PUBLIC_URL"
  | "PERSONAS_DIR"
>;

export interface Service {
  /** The model, observed (or as it was). */
  observeModel(model: ChatModel): ChatModel;
  /** The model is there (the start-up check said so): /readyz's first part. */
  modelChecked(ready: boolean): void;
  /** The bot the platforms get: observed, and able to drain for the stop. */
  wrapBot(bot: Bot): DrainingBot;
  /** A platform that started: /readyz watches its connection from now on. */
  watch(connector: Connector): void;
  /** Closed after the store (shutdown's `last`): traces flushed, the endpoints closed. */
  readonly closers: readonly { name: string; close(): Promise<void> }[];
  /** The port /metrics is served on, when it is. */
  readonly port: number | undefined;
}

const DISCORD_API = "https://discord.com/api";
const SLACK_API = "https://slack.com/api/";

export async function startService(config: ServiceConfig, logger: Logger): Promise<Service> {
  const observing = config.METRICS_PORT !== undefined || config.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined;
  if (!observing) return drainOnly(logger);
  // prom-client is loaded only when asked for, like the trace SDK: the terminal chat never pays.
  const { createServiceMetrics, registerReadinessGauge, registerWaitingGauge } = await import("./metrics.js");
  const metrics: ServiceMetrics = createServiceMetrics();
  let tracer: AnswerTracer | undefined;
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined) {
    tracer = await createAnswerTracer({
      endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
      version: packageJson.version,
    });
    logger.info("traces: one span per answer, sent over OTLP/HTTP");
  }

  // Bound late: the model and the bot are built after the endpoints are already listening.
  let model: ChatModel | undefined;
  let bot: DrainingBot | undefined;
  const expectedPlatforms: Platform[] = [];
  if (config.DISCORD_TOKEN !== undefined) expectedPlatforms.push("discord");
  if (config.SLACK_BOT_TOKEN !== undefined) expectedPlatforms.push("slack");
  const readiness = createReadiness({
    expectedPlatforms,
    recheckModel: async () => model?.check(),
    accepting: () => bot?.accepting() ?? true,
  });

  registerReadinessGauge(metrics, () => readiness.report());

  let endpoints: ServiceEndpoints | undefined;
  if (config.METRICS_PORT !== undefined) {
    endpoints = await startServiceEndpoints({
      port: config.METRICS_PORT,
      host: config.METRICS_HOST,
      registry: metrics.registry,
      readiness,
      logger,
      ...(config.PUBLIC_URL === undefined ? {} : { avatars: avatarHandler(config, logger) }),
    });
  }
  const stopCounting = countPlatformRequests(
    [
      { platform: "discord", baseUrl: config.DISCORD_API_URL ?? DISCORD_API },
      { platform: "slack", baseUrl: config.SLACK_API_URL ?? SLACK_API },
    ],
    metrics,
  );

  const closers: { name: string; close(): Promise<void> }[] = [];
  if (tracer !== undefined)
    closers.push({ name: "traces", close: () => (tracer as AnswerTracer).shutdown() });
  closers.push({
    name: "service endpoints",
    async close() {
      stopCounting();
      await endpoints?.close();
    },
  });

  return {
    observeModel(built) {
      model = observeModel(built, { metrics, tracer, onHealth: (health) => readiness.modelHealth(health) });
      return model;
    },
    modelChecked(ready) {
      readiness.modelHealth(
        ready
          ? { ok: true, model: model?.description ?? "" }
          : { ok: false, code: "unavailable", message: "the start-up check failed", hint: "" },
      );
    },
    wrapBot(core) {
      registerWaitingGauge(metrics, () => core.waitingForPlace());
      bot = createDrainingBot(observeBot(core, { metrics, tracer }), logger);
      return bot;
    },
    watch(connector) {
      readiness.watch({ name: connector.name, connected: () => connector.connected?.() ?? true });
    },
    closers,
    port: endpoints?.port,
  };
}

/** Neither endpoints nor traces: the bot only learns to drain, for the graceful stop. */
function drainOnly(logger: Logger): Service {
  return {
    observeModel: (model) => model,
    modelChecked() {},
    wrapBot: (core) => createDrainingBot(core, logger),
    watch() {},
    closers: [],
    port: undefined,
  };
}
