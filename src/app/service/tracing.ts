/**
 * Optional traces: with OTEL_EXPORTER_OTLP_ENDPOINT set, one span per answer with children for the
 * prompt, the model call and the platform writes, exported by OpenTelemetry's own SDK as OTLP over
 * HTTP (JSON) to `<endpoint>/v1/traces`. Unset, nothing here is loaded: the SDK and the exporter
 * are imported only when asked for, so start-up does not pay for them.
 *
 * No global tracer provider and no context manager are installed: spans are parented explicitly
 * from the answer's context (answer-context.ts), so nothing else in the process is traced by
 * accident and nothing here depends on a global.
 */
import type { SpanExporter as ApiSpanExporter, Attributes, Span } from "./tracing-types.js";

export interface AnswerTracer {
  /** A span, under `parent` when given (a root span otherwise). */
  startSpan(name: string, options: { parent?: Span; startTime?: number; attributes?: Attributes }): Span;
  /** Sends what is still buffered and stops: the last step of a stop. */
  shutdown(): Promise<void>;
}

/** How long a batch waits before it is sent; short, so a trace shows up while one looks for it. */
const EXPORT_DELAY_MS = 1_000;

export async function createAnswerTracer(options: {
  endpoint: string;
  version: string;
  /** Tests read spans from an in-memory exporter instead of the network. */
  exporter?: ApiSpanExporter;
}): Promise<AnswerTracer> {
  const [api, sdk, resources, otlp] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/exporter-trace-otlp-http"),
  ]);
  const exporter =
    options.exporter ??
    new otlp.OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, "")}/v1/traces` });
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({
      "service.name": "troupe",
      "service.version": options.version,
    }),
    spanProcessors: [new sdk.BatchSpanProcessor(exporter, { scheduledDelayMillis: EXPORT_DELAY_MS })],
  });
  const tracer = provider.getTracer("troupe", options.version);
  return {
    startSpan(name, { parent, startTime, attributes }) {
      const context = parent === undefined ? api.ROOT_CONTEXT : api.trace.setSpan(api.ROOT_CONTEXT, parent);
      return tracer.startSpan(name, { startTime, attributes }, context);
    },
    shutdown: () => provider.shutdown(),
  };
}
