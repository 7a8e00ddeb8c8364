/**
 * Traces: one `answer` span per answer with `prompt`, `model` (time to first token, tokens) and
 * `platform.writes` children, read from a collecting exporter around the real bot (a scripted
 * model, a recording sink; the SDK's InMemorySpanExporter forgets its spans at shutdown); and one loopback check that the OTLP/HTTP exporter really
 * posts them to `<endpoint>/v1/traces` (as JSON: what the http exporter sends).
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { commands } from "../../../commands/index.js";
import { createServiceMetrics } from "../../../src/app/service/metrics.js";
import { observeBot } from "../../../src/app/service/observed-bot.js";
import { observeModel } from "../../../src/app/service/observed-model.js";
import { createAnswerTracer } from "../../../src/app/service/tracing.js";
import { createBot } from "../../../src/core/bot.js";
import { message } from "../../core/bot-fixture.js";
import { staticCatalog, testPersona } from "../../helpers/personas.js";
import { createRecordingLogger } from "../../helpers/recording-logger.js";
import { createRecordingSink } from "../../helpers/recording-sink.js";
import { createScriptedModel } from "../../helpers/scripted-model.js";
import { createSwitchableStore } from "../../helpers/switchable-store.js";

/** Keeps every span exported, through the provider's shutdown. */
function collectingExporter(): SpanExporter & { spans: ReadableSpan[] } {
  const spans: ReadableSpan[] = [];
  return {
    spans,
    export(batch, done) {
      spans.push(...batch);
      done({ code: 0 });
    },
    shutdown: async () => {},
  };
}

describe("traces", () => {
  it("records one answer span with its prompt, model and platform-writes children", async () => {
    const exporter = collectingExporter();
    const tracer = await createAnswerTracer({ endpoint: "http://127.0.0.1:9", version: "test", exporter });
    const metrics = createServiceMetrics();
    const scripted = createScriptedModel();
    scripted.enqueue({ deltas: ["A prime ", "has two divisors."] });
    const bot = observeBot(
      createBot({
        model: observeModel(scripted, { metrics, tracer }),
        store: createSwitchableStore(),
        personas: staticCatalog([testPersona("tutor")]),
        commands,
        logger: createRecordingLogger(),
        settings: { defaultPersona: "tutor", contextTokens: 4096, replyTokens: 512 },
      }),
      { metrics, tracer },
    );
    const sink = createRecordingSink();
    await bot.handleMessage(message("what is a prime?"), sink);
    await tracer.shutdown();

    const { spans } = exporter;
    expect(spans.map((span) => span.name).sort()).toEqual(["answer", "model", "platform.writes", "prompt"]);
    const answer = spans.find((span) => span.name === "answer");
    const answerId = answer?.spanContext().spanId;
    for (const child of spans.filter((span) => span !== answer)) {
      expect(child.parentSpanContext?.spanId).toBe(answerId);
      expect(child.spanContext().traceId).toBe(answer?.spanContext().traceId);
    }
    expect(answer?.attributes).toMatchObject({
      "troupe.platform": "console",
      "troupe.conversation": "console:ada",
      "troupe.persona": "tutor",
    });
    const model = spans.find((span) => span.name === "model");
    expect(model?.attributes).toMatchObject({
      "troupe.model": "scripted:test",
      "gen_ai.usage.input_tokens": 10,
      "gen_ai.usage.output_tokens": 2,
      "troupe.finish": "stop",
    });
    expect(typeof model?.attributes["troupe.time_to_first_token_ms"]).toBe("number");
    expect(answer?.resource.attributes["service.name"]).toBe("troupe");
  });

  it("posts the spans as OTLP/HTTP JSON to <endpoint>/v1/traces", async () => {
    const received: { path: string; type: string; body: string }[] = [];
    const server = createServer((request: IncomingMessage, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      request.on("end", () => {
        received.push({ path: request.url ?? "", type: request.headers["content-type"] ?? "", body });
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const tracer = await createAnswerTracer({ endpoint: `http://127.0.0.1:${port}/`, version: "test" });
      tracer.startSpan("answer", { attributes: { "troupe.platform": "discord" } }).end();
      await tracer.shutdown();

      expect(received.map(({ path, type }) => ({ path, type }))).toEqual([
        { path: "/v1/traces", type: "application/json" },
      ]);
      const payload = JSON.parse(received[0]?.body ?? "{}") as {
        resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
      };
      const names = payload.resourceSpans.flatMap((resource) =>
        resource.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.name)),
      );
      expect(names).toEqual(["answer"]);
    } finally {
      server.close();
    }
  });
});
