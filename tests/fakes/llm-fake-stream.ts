/**
 * Streaming a scripted reply on the wire, with its cut / stall / end / error points.
 * Each fake supplies its encoding (`StreamFormat`): NDJSON for Ollama, SSE for OpenAI.
 */
import type { ServerResponse } from "node:http";
import type { FakeReply, PlannedReply } from "./llm-fake-reply.js";

/**
 * Writes and waits until the data reached the socket, so a later `destroy()` cannot drop it.
 * Resolves false when the connection is gone.
 */
export function send(response: ServerResponse, data: string): Promise<boolean> {
  if (response.destroyed || response.writableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = (): void => resolve(false);
    response.once("close", onClose);
    response.write(data, (error) => {
      response.off("close", onClose);
      resolve(!error);
    });
  });
}

/** Waits `ms`, or less if the fake closes. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** What a streaming loop does after sending `sent` answer chunks. */
export type StreamStep = "continue" | "cut" | "stall" | "end" | "error-line" | "vendor-error";

export function stepAfter(reply: FakeReply, sent: number): StreamStep {
  if (reply.cutAfter === sent) return "cut";
  if (reply.stallAfter === sent) return "stall";
  if (reply.endAfter === sent) return "end";
  if (reply.errorLineAfter === sent) return "error-line";
  if (reply.vendorErrorAfter === sent) return "vendor-error";
  return "continue";
}

/** How one server encodes a streamed reply on the wire. */
export interface StreamFormat {
  contentType: string;
  /** The reasoning lines sent before the answer. */
  thinking(text: string): string[];
  chunk(text: string, index: number, last: boolean): string;
  errorLine(): string;
  vendorError(): string;
  /** Everything after the last answer chunk: Ollama's done line; OpenAI's usage chunk and [DONE]. */
  finish(): string;
}

/** Streams a planned reply, honouring its scripted cut / stall / end / error points. */
export async function streamReply(
  response: ServerResponse,
  plan: PlannedReply,
  format: StreamFormat,
  closing: AbortSignal,
): Promise<void> {
  const { reply, chunks } = plan;
  response.writeHead(200, { "content-type": format.contentType, "cache-control": "no-cache" });
  // Headers now, even when the script stalls before the first chunk.
  response.flushHeaders();
  if (reply.thinking !== undefined) {
    for (const line of format.thinking(reply.thinking)) {
      if (!(await send(response, line))) return;
    }
  }
  for (let sent = 0; ; sent++) {
    const step = stepAfter(reply, sent);
    if (step === "cut") {
      response.destroy();
      return;
    }
    if (step === "stall") return;
    if (step === "end") {
      response.end();
      return;
    }
    if (step === "error-line" || step === "vendor-error") {
      await send(response, step === "error-line" ? format.errorLine() : format.vendorError());
      response.end();
      return;
    }
    const text = chunks[sent];
    if (text === undefined) break;
    if (reply.delayMs !== undefined) await pause(reply.delayMs, closing);
    if (!(await send(response, format.chunk(text, sent, sent === chunks.length - 1)))) return;
  }
  await send(response, format.finish());
  response.end();
}
