import { describe, expect, it, vi } from "vitest";
import type { AnswerPacing } from "../../../src/connectors/shared/answer-pacing.js";
import { type MessageWriter, streamToMessages } from "../../../src/connectors/shared/edit-stream.js";
import { openFenceAtEnd } from "../../../src/connectors/shared/split-text.js";
import { createWriteBudget } from "../../../src/connectors/shared/write-budget.js";
import { maxInAnyWindow } from "../../helpers/max-in-window.js";

interface FakeMessages extends MessageWriter<number> {
  /** Current text of each message, by handle. */
  texts: string[];
  writes: { kind: "create" | "edit"; at: number; handle: number }[];
  deleted: Set<number>;
  failCreates: boolean;
}

function fakeMessages(): FakeMessages {
  const messages: FakeMessages = {
    texts: [],
    writes: [],
    deleted: new Set(),
    failCreates: false,
    async create(text) {
      if (messages.failCreates) throw new Error("Missing Permissions");
      messages.texts.push(text);
      const handle = messages.texts.length - 1;
      messages.writes.push({ kind: "create", at: Date.now(), handle });
      return handle;
    },
    async edit(handle, text) {
      if (messages.deleted.has(handle)) throw new Error("Unknown Message");
      messages.texts[handle] = text;
      messages.writes.push({ kind: "edit", at: Date.now(), handle });
    },
  };
  return messages;
}

async function* deltas(parts: string[], options: { delayMs?: number; failAfter?: number } = {}) {
  for (const [index, part] of parts.entries()) {
    if (options.failAfter === index) throw new Error("stream cut");
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    yield part;
  }
  if (options.failAfter === parts.length) throw new Error("stream cut");
}

const base = {
  budgetKey: "channel",
  maxLength: 2000,
  minEditIntervalMs: 20,
  interruptedNote: "(interrupted)",
};

describe("streamToMessages", () => {
  it("posts at the first text, grows by edits, and the last write holds the whole answer", async () => {
    const messages = fakeMessages();
    const result = await streamToMessages(deltas(["Hello", ", ", "world", "!"], { delayMs: 30 }), {
      ...base,
      writer: messages,
      budget: createWriteBudget({ limit: 100, windowMs: 1000 }),
      header: "**Tutor**\n",
    });
    expect(result).toEqual({ text: "Hello, world!" });
    expect(messages.texts).toEqual(["**Tutor**\nHello, world!"]);
    expect(messages.writes[0]?.kind).toBe("create");
    expect(messages.writes.length).toBeGreaterThan(1);
  });

  it("continues past the length limit in new messages, code fences intact", async () => {
    const code = Array.from({ length: 120 }, (_, index) => `print(${index})`).join("\n");
    const answer = `Here you go:\n\n\`\`\`python\n${code}\n\`\`\`\n\nDone.`;
    const parts = answer.match(/[\s\S]{1,50}/g) ?? [];
    const messages = fakeMessages();
    await streamToMessages(deltas(parts), {
      ...base,
      maxLength: 500,
      writer: messages,
      budget: createWriteBudget({ limit: 1000, windowMs: 1000 }),
    });
    expect(messages.texts.length).toBeGreaterThan(2);
    for (const text of messages.texts) {
      expect(text.length).toBeLessThanOrEqual(500);
      expect(openFenceAtEnd(text)).toBeUndefined();
    }
    expect(messages.texts.at(-1)?.endsWith("Done.")).toBe(true);
    for (let index = 0; index < 120; index++) {
      expect(messages.texts.some((text) => text.includes(`print(${index})`))).toBe(true);
    }
  });

  it("keeps several streams in one channel within the shared write budget", async () => {
    const messages = fakeMessages();
    const budget = createWriteBudget({ limit: 4, windowMs: 300 });
    const words = Array.from({ length: 30 }, (_, index) => `word${index} `);
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        streamToMessages(deltas(words, { delayMs: 10 }), { ...base, writer: messages, budget }),
      ),
    );
    // Writes are recorded a moment after the budget grants them; a loaded machine delays some
    // records more than others, so the window checked is a little shorter than the budget's.
    const times = messages.writes.map((write) => write.at);
    expect(maxInAnyWindow(times, 270)).toBeLessThanOrEqual(4);
    // Each stream's last write still holds its whole answer.
    expect(messages.texts).toHaveLength(3);
    for (const text of messages.texts) expect(text).toBe(words.join(""));
    for (const result of results) expect(result.error).toBeUndefined();
  });

  it("marks an answer that broke off, and reports the error", async () => {
    const messages = fakeMessages();
    const result = await streamToMessages(deltas(["Once ", "upon"], { failAfter: 2 }), {
      ...base,
      writer: messages,
      budget: createWriteBudget({ limit: 100, windowMs: 1000 }),
    });
    expect(messages.texts).toEqual(["Once upon (interrupted)"]);
    expect(result.text).toBe("Once upon");
    expect(result.error).toBeInstanceOf(Error);
  });

  it("posts nothing when the stream fails before any text, and stops typing", async () => {
    const messages = fakeMessages();
    const typing: string[] = [];
    const result = await streamToMessages(deltas([], { failAfter: 0 }), {
      ...base,
      writer: messages,
      budget: createWriteBudget({ limit: 100, windowMs: 1000 }),
      startTyping: () => {
        typing.push("start");
        return () => typing.push("stop");
      },
    });
    expect(messages.texts).toEqual([]);
    expect(result.error).toBeInstanceOf(Error);
    expect(typing).toEqual(["start", "stop"]);
  });

  it("continues in a new message when the one being edited was deleted", async () => {
    const messages = fakeMessages();
    const errors: string[] = [];
    async function* deletingMidway() {
      yield "first part ";
      await new Promise((resolve) => setTimeout(resolve, 50));
      messages.deleted.add(0);
      yield "second part";
    }
    const result = await streamToMessages(deletingMidway(), {
      ...base,
      writer: messages,
      budget: createWriteBudget({ limit: 100, windowMs: 1000 }),
      onWriteError: (error, write) => errors.push(`${write}: ${(error as Error).message}`),
    });
    expect(result.deliveryError).toBeUndefined();
    expect(messages.texts.at(-1)).toBe("first part second part");
    expect(errors).toEqual(["edit: Unknown Message"]);
  });

  it("stops consuming the model when a message cannot be posted at all", async () => {
    const messages = fakeMessages();
    messages.failCreates = true;
    let produced = 0;
    let closed = false;
    async function* endless() {
      try {
        for (;;) {
          produced++;
          yield "x";
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      } finally {
        closed = true;
      }
    }
    const result = await streamToMessages(endless(), {
      ...base,
      writer: messages,
      budget: createWriteBudget({ limit: 100, windowMs: 1000 }),
    });
    expect((result.deliveryError as Error).message).toBe("Missing Permissions");
    expect(closed).toBe(true);
    expect(produced).toBeLessThan(50);
  });
});

describe("streamToMessages: the deadline (troupe must exit)", () => {
  /** A budget with its one write of the window already spent: the next write waits a minute. */
  async function spentBudget() {
    const budget = createWriteBudget({ limit: 1, windowMs: 60_000 });
    await budget.acquire("channel");
    return budget;
  }

  it("gives up a first post still waiting for the budget: nothing posted, cutOff says so", async () => {
    const messages = fakeMessages();
    const deadline = new AbortController();
    const pending = streamToMessages(deltas(["Hello", " there"]), {
      ...base,
      writer: messages,
      budget: await spentBudget(),
      deadline: deadline.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    deadline.abort();
    expect(await pending).toEqual({ text: "Hello there", cutOff: "first-post" });
    expect(messages.writes).toEqual([]);
  });

  it("gives up a first post the platform holds, aborting the request so it never posts late", async () => {
    const deadline = new AbortController();
    const signals: (AbortSignal | undefined)[] = [];
    const writer: MessageWriter<number> = {
      create: (_text, signal) => {
        signals.push(signal);
        // Like discord.js sleeping through a 429: settles only after the caller gave up.
        return new Promise((_resolve, reject) =>
          signal?.addEventListener("abort", () => reject(new Error("aborted"))),
        );
      },
      edit: async () => {},
    };
    const pending = streamToMessages(deltas(["Hello"]), {
      ...base,
      writer,
      budget: createWriteBudget({ limit: 100, windowMs: 1000 }),
      deadline: deadline.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    deadline.abort();
    const result = await pending;
    expect(result.cutOff).toBe("first-post");
    expect(result.deliveryError).toBeUndefined();
    expect(signals).toEqual([deadline.signal]);
    expect(signals[0]?.aborted).toBe(true);
  });

  it("gives up a last edit still waiting: people keep the older text, cutOff says so", async () => {
    const messages = fakeMessages();
    const budget = createWriteBudget({ limit: 1, windowMs: 60_000 });
    const deadline = new AbortController();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* answer() {
      yield "Hello";
      await gate;
      throw new Error("stopped");
    }
    const pending = streamToMessages(answer(), {
      ...base,
      writer: messages,
      budget,
      deadline: deadline.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(messages.texts).toEqual(["Hello"]);
    release();
    await new Promise((resolve) => setTimeout(resolve, 30));
    deadline.abort();
    const result = await pending;
    expect(result.cutOff).toBe("last-edit");
    expect((result.error as Error).message).toBe("stopped");
    // The note never went out: the budget held the last edit until the deadline.
    expect(messages.texts).toEqual(["Hello"]);
  });

  it("ends with the interrupted note when the edit can be made in time, and no cutOff", async () => {
    const messages = fakeMessages();
    const deadline = new AbortController();
    const result = await streamToMessages(deltas(["Hello", " there"], { failAfter: 2 }), {
      ...base,
      writer: messages,
      budget: createWriteBudget({ limit: 100, windowMs: 1000 }),
      deadline: deadline.signal,
    });
    deadline.abort();
    expect(result.cutOff).toBeUndefined();
    expect(messages.texts).toEqual(["Hello there (interrupted)"]);
  });
});

describe("streamToMessages: an answer's own pacing", () => {
  const paced = { maxLength: 2000, minEditIntervalMs: 20, interruptedNote: "(interrupted)" };

  /** A pacing that grants when the test says so, and records what the stream told it. */
  function manualPacing(grantAtOnce: boolean) {
    const events: string[] = [];
    const waiting: (() => void)[] = [];
    const pacing: AnswerPacing & { events: string[]; grant(): void } = {
      events,
      acquire() {
        events.push("acquire");
        return new Promise((resolve) => {
          const granted = () => {
            events.push("granted");
            resolve(() => events.push("answered"));
          };
          if (grantAtOnce) granted();
          else waiting.push(granted);
        });
      },
      grant: () => waiting.shift()?.(),
      finish: () => events.push("finish"),
      close: () => events.push("close"),
      finalWaitsForInterval: false,
    };
    return pacing;
  }

  /** "Hello", then (once the test opens the gate) " world", then the end. */
  function gatedAnswer() {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    async function* answer() {
      yield "Hello";
      await gate;
      yield " world";
    }
    return { answer: answer(), open: () => open() };
  }

  it("sends an answer whose model finished while its first write waited in one write, whole", async () => {
    const messages = fakeMessages();
    const pacing = manualPacing(false);
    const pending = streamToMessages(deltas(["Hel", "lo ", "world"]), {
      ...paced,
      writer: messages,
      pacing,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pacing.events).toEqual(["acquire", "finish"]);
    pacing.grant();
    expect(await pending).toEqual({ text: "Hello world" });
    expect(messages.writes.map((write) => write.kind)).toEqual(["create"]);
    expect(messages.texts).toEqual(["Hello world"]);
    expect(pacing.events).toEqual(["acquire", "finish", "granted", "answered", "close"]);
  });

  it("makes the final edit as soon as the model ends when the pacing has room, however long the edit interval", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const messages = fakeMessages();
      const { answer, open } = gatedAnswer();
      let settled = false;
      const pending = streamToMessages(answer, {
        ...paced,
        minEditIntervalMs: 10_000,
        writer: messages,
        pacing: manualPacing(true),
      }).finally(() => {
        settled = true;
      });
      await vi.advanceTimersByTimeAsync(0);
      expect(messages.texts).toEqual(["Hello"]);
      open();
      // Not a millisecond of the 10 s interval has passed: the end went out anyway.
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(true);
      expect(messages.texts).toEqual(["Hello world"]);
      expect(messages.writes.map((write) => write.kind)).toEqual(["create", "edit"]);
      await pending;
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps a plain budget's final edit in step with the edit interval (Slack's pacing, unchanged)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const messages = fakeMessages();
      const { answer, open } = gatedAnswer();
      let settled = false;
      const pending = streamToMessages(answer, {
        ...base,
        minEditIntervalMs: 10_000,
        writer: messages,
        budget: createWriteBudget({ limit: 100, windowMs: 1000 }),
      }).finally(() => {
        settled = true;
      });
      await vi.advanceTimersByTimeAsync(0);
      open();
      await vi.advanceTimersByTimeAsync(5_000);
      expect(settled).toBe(false);
      expect(messages.texts).toEqual(["Hello"]);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(settled).toBe(true);
      expect(messages.texts).toEqual(["Hello world"]);
      await pending;
    } finally {
      vi.useRealTimers();
    }
  });
});
