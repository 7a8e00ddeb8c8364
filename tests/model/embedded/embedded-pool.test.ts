import type { ChatHistoryItem } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { createSlotPool } from "../../../src/model/embedded/embedded-pool.js";
import { fitToContext } from "../../../src/model/embedded/embedded-prompt.js";

describe("the sequence pool", () => {
  it("lends free slots at once, then serves waiters strictly in arrival order", async () => {
    const pool = createSlotPool(["s1", "s2"]);
    expect(await pool.acquire()).toBe("s1");
    expect(await pool.acquire()).toBe("s2");
    const served: string[] = [];
    const waiting = ["a", "b", "c"].map((name) =>
      pool.acquire().then((slot) => served.push(`${name}:${slot}`)),
    );
    expect(pool.waiting).toBe(3);
    pool.release("s2");
    pool.release("s1");
    await Promise.all(waiting.slice(0, 2));
    pool.release("s2");
    await Promise.all(waiting);
    expect(served).toEqual(["a:s2", "b:s1", "c:s2"]);
  });

  it("drops a waiter whose signal aborts, without losing the slot", async () => {
    const pool = createSlotPool(["only"]);
    await pool.acquire();
    const controller = new AbortController();
    const gaveUp = pool.acquire(controller.signal);
    const next = pool.acquire();
    controller.abort(new Error("left"));
    await expect(gaveUp).rejects.toThrow("left");
    pool.release("only");
    expect(await next).toBe("only");
    expect(pool.waiting).toBe(0);
  });
});

describe("fitting a prompt into the context", () => {
  const history: ChatHistoryItem[] = [
    { type: "system", text: "persona" },
    { type: "user", text: "old question" },
    { type: "model", response: ["old answer"] },
    { type: "system", text: "reminder" },
    { type: "user", text: "new question" },
  ];
  /** Ten tokens a message: enough to check which ones go. */
  const count = (items: ChatHistoryItem[]) => items.length * 10;

  it("keeps everything that fits", () => {
    expect(fitToContext(history, count, 100, 20)).toEqual({ history, promptTokens: 50, droppedMessages: 0 });
  });

  it("drops the oldest turns first, never a system message or the new message", () => {
    const fitted = fitToContext(history, count, 50, 20);
    expect(fitted.history.map((item) => (item.type === "model" ? "model" : item.text))).toEqual([
      "persona",
      "reminder",
      "new question",
    ]);
    expect(fitted).toMatchObject({ promptTokens: 30, droppedMessages: 2 });
  });

  it("drops a question together with its answer, so no reply is left without its question", () => {
    const long: ChatHistoryItem[] = [
      { type: "system", text: "persona" },
      { type: "user", text: "q1" },
      { type: "model", response: ["a1"] },
      { type: "user", text: "q2" },
      { type: "model", response: ["a2"] },
      { type: "user", text: "q3" },
    ];
    const fitted = fitToContext(long, count, 70, 20);
    expect(
      fitted.history.map((item) => (item.type === "model" ? `model:${item.response[0]}` : item.text)),
    ).toEqual(["persona", "q2", "model:a2", "q3"]);
    expect(fitted).toMatchObject({ promptTokens: 40, droppedMessages: 2 });
  });

  it("fails with context-overflow when the essentials alone do not fit", () => {
    expect(() => fitToContext(history, count, 40, 20)).toThrow(
      expect.objectContaining({
        code: "context-overflow",
        message: expect.stringContaining("holds 40 (CONTEXT_TOKENS)"),
      }),
    );
  });
});
