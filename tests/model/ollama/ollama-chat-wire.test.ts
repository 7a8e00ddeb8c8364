/**
 * The streamed /api/chat read without the ollama client: lines split anywhere between reads, a
 * line that is not JSON skipped without a word on the console, an error status shaped as the
 * client's ResponseError.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type ChatCallState,
  chatWire,
  NdjsonLines,
  OllamaResponseError,
  openChatStream,
} from "../../../src/model/ollama/ollama-chat-wire.js";
import { responseStatus } from "../../../src/model/ollama/ollama-errors.js";
import { startFakeOllama } from "../../fakes/fake-ollama.js";

function linesOf(pieces: string[]): NdjsonLines {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
  return new NdjsonLines(stream.getReader());
}

async function readAll(lines: NdjsonLines): Promise<unknown[]> {
  const read: unknown[] = [];
  for (let line = await lines.next(); line !== undefined; line = await lines.next()) read.push(line);
  return read;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("NdjsonLines", () => {
  it("joins lines split between reads, several lines in one read, and a last line without newline", async () => {
    const lines = linesOf(['{"a":', '1}\n{"b":2}\n{"c"', ':3}\n\n{"d":"é', 'x"}']);
    expect(await readAll(lines)).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }, { d: "éx" }]);
  });

  it("joins a character whose UTF-8 bytes are split between reads", async () => {
    const bytes = new TextEncoder().encode('{"t":"日本"}\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 8));
        controller.enqueue(bytes.slice(8));
        controller.close();
      },
    });
    expect(await readAll(new NdjsonLines(stream.getReader()))).toEqual([{ t: "日本" }]);
  });

  it("skips a line that is not JSON without writing to the console", async () => {
    const warn = vi.spyOn(console, "warn");
    const log = vi.spyOn(console, "log");
    expect(await readAll(linesOf(['{"a":1}\nnot json\n{"b":2}\n']))).toEqual([{ a: 1 }, { b: 2 }]);
    expect(warn).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });
});

describe("openChatStream", () => {
  it("throws an error status as the client's ResponseError, with the server's words", async () => {
    const fake = await startFakeOllama();
    try {
      fake.enqueue({ status: 404, error: 'model "nope" not found, try pulling it first' });
      const state: ChatCallState = { response: undefined, headersTimedOut: false };
      const wire = chatWire(fake.host, undefined, fetch);
      const error = await openChatStream(
        wire,
        { model: "nope" },
        new AbortController().signal,
        undefined,
        state,
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OllamaResponseError);
      expect(responseStatus(error)).toBe(404);
      expect((error as Error).message).toBe('model "nope" not found, try pulling it first');
      expect(state.response?.status).toBe(404);
    } finally {
      await fake.close();
    }
  });
});
