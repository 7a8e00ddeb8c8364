/**
 * The streamed /api/chat read without the ollama client: lines split anywhere between reads, a
 * line that is not JSON skipped without a word on the console, an error status shaped as the
 * client's ResponseError.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type ChatBody,
  type ChatCallState,
  chatWire,
  NdjsonLines,
  OllamaResponseError,
  openChatStream,
} from "../../../src/model/ollama/ollama-chat-wire.js";
import { responseStatus } from "../../../src/model/ollama/ollama-errors.js";
import { startFakeOllama } from "../../fakes/fake-ollama.js";

/** A body that hands out these reads, as undici's would. */
function bodyOf(reads: Uint8Array[]): ChatBody & { dumped: boolean } {
  return {
    dumped: false,
    async *[Symbol.asyncIterator]() {
      yield* reads;
    },
    async dump() {
      this.dumped = true;
    },
  };
}

function linesOf(pieces: string[]): NdjsonLines {
  const encoder = new TextEncoder();
  return new NdjsonLines(bodyOf(pieces.map((piece) => encoder.encode(piece))));
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
    const lines = linesOf([
      '{"eval_count":',
      '1}\n{"eval_count":2}\n{"eval_count"',
      ':3}\n\n{"done_reason":"é',
      'x"}',
    ]);
    expect(await readAll(lines)).toEqual([
      { eval_count: 1 },
      { eval_count: 2 },
      { eval_count: 3 },
      { done_reason: "éx" },
    ]);
  });

  it("joins a character whose UTF-8 bytes are split between reads", async () => {
    const bytes = new TextEncoder().encode('{"message":{"content":"日本"}}\n');
    const body = bodyOf([bytes.slice(0, 25), bytes.slice(25)]);
    expect(await readAll(new NdjsonLines(body))).toEqual([{ message: { content: "日本" } }]);
  });

  it("skips a line that is not JSON without writing to the console", async () => {
    const warn = vi.spyOn(console, "warn");
    const log = vi.spyOn(console, "log");
    expect(await readAll(linesOf(['{"done":false}\nnot json\n{"done":true}\n']))).toEqual([
      { done: false },
      { done: true },
    ]);
    expect(warn).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });

  it("skips a line whose fields have the wrong types, and keeps only the fields it reads", async () => {
    const lines = linesOf([
      '{"message":{"content":42}}\n{"done":"yes"}\n{"message":{"role":"assistant","content":"hi"},"model":"m"}\n',
    ]);
    expect(await readAll(lines)).toEqual([{ message: { content: "hi" } }]);
  });
});

describe("NdjsonLines.release", () => {
  it("lets the rest of an unread body go, and leaves a body read to its end alone", async () => {
    const encoder = new TextEncoder();
    const unread = bodyOf([encoder.encode('{"done":true}\n'), encoder.encode("\n")]);
    const early = new NdjsonLines(unread);
    expect(await early.next()).toEqual({ done: true });
    early.release();
    expect(unread.dumped).toBe(true);

    const read = bodyOf([encoder.encode('{"done":true}\n')]);
    const whole = new NdjsonLines(read);
    await readAll(whole);
    whole.release();
    expect(read.dumped).toBe(false);
  });
});

describe("openChatStream", () => {
  it("throws an error status as the client's ResponseError, with the server's words", async () => {
    const fake = await startFakeOllama();
    try {
      fake.enqueue({ status: 404, error: 'model "nope" not found, try pulling it first' });
      const state: ChatCallState = { status: undefined, headers: undefined, headersTimedOut: false };
      const wire = chatWire(fake.host, undefined);
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
      expect(state.status).toBe(404);
    } finally {
      await fake.close();
    }
  });
});
