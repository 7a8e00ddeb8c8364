/**
 * The OpenTelemetry types the service modules name, as types only: importing them loads nothing
 * at run time, so a process without OTEL_EXPORTER_OTLP_ENDPOINT never loads the SDK.
 */
export type { Attributes, Span } from "@opentelemetry/api";
export type { SpanExporter } from "@opentelemetry/sdk-trace-base";
