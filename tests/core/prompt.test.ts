import { describe, expect, it } from "vitest";
import { buildPrompt } from "../../src/core/prompt.js";
import { estimateMessageTokens } from "../../src/core/tokens.js";
import type { Turn } from "../../src/store/conversation-store.js";
import { testPersona } from "../helpers/personas.js";

function turns(count: number, size = 40): Turn[] {
  return Array.from({ length: count }, (_, index) => ({
    role: index % 2 === 0 ? "user" : "assistant",
    content: `turn ${index} ${"x".repeat(size)}`,
    author: index % 2 === 0 ? { id: "u1", name: "Ada" } : undefined,
    at: index,
  }));
}

const persona = testPersona("tutor", {
  systemPrompt: "You are a patient tutor.",
  examples: [{ user: "What is 2+2?", assistant: "What do you get if you count two, then two more?" }],
  postHistory: "Stay Socratic.",
});

describe("prompt budget", () => {
  it("orders system prompt, examples, history, post_history, then the new message", () => {
    const built = buildPrompt({
      persona,
      history: turns(2),
      message: "next",
      contextTokens: 4096,
      replyTokens: 512,
      labelSpeakers: false,
    });
    expect(built.messages.map((message) => message.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
      "assistant",
      "system",
      "user",
    ]);
    expect(built.messages[0]?.content).toBe("You are a patient tutor.");
    expect(built.messages[1]?.content).toBe("What is 2+2?");
    expect(built.messages.at(-2)?.content).toBe("Stay Socratic.");
    expect(built.messages.at(-1)?.content).toBe("next");
    expect(built.droppedTurns).toBe(0);
  });

  it("drops the oldest turns first and stays within the context minus the reply reserve", () => {
    const history = turns(500);
    const built = buildPrompt({
      persona,
      history,
      message: "newest",
      contextTokens: 2048,
      replyTokens: 512,
      labelSpeakers: false,
    });
    const total = built.messages.reduce((sum, message) => sum + estimateMessageTokens(message.content), 0);
    expect(total).toBeLessThanOrEqual(2048 - 512);
    expect(built.droppedTurns).toBeGreaterThan(0);
    // The newest history turn survives; the oldest is gone.
    expect(built.messages.some((message) => message.content.startsWith("turn 499 "))).toBe(true);
    expect(built.messages.some((message) => message.content.startsWith("turn 0 "))).toBe(false);
    expect(built.messages[0]?.content).toBe(persona.systemPrompt);
    expect(built.messages.at(-1)?.content).toBe("newest");
  });

  it("never starts the kept history with a reply whose question was dropped", () => {
    const built = buildPrompt({
      persona: testPersona("plain"),
      history: turns(500),
      message: "q",
      contextTokens: 1024,
      replyTokens: 256,
      labelSpeakers: false,
    });
    expect(built.messages[1]?.role).toBe("user");
  });

  it("cuts a single message that is over the budget, with a visible note, keeping the system prompt", () => {
    const huge = "a".repeat(200_000);
    const built = buildPrompt({
      persona,
      history: turns(4),
      message: huge,
      contextTokens: 4096,
      replyTokens: 1024,
      labelSpeakers: false,
    });
    expect(built.cut).toBeDefined();
    expect(built.cut?.originalChars).toBe(200_000);
    expect(built.cut?.keptChars).toBeLessThan(200_000);
    const last = built.messages.at(-1)?.content ?? "";
    expect(last).toContain("the rest of this message was cut");
    expect(built.messages[0]?.content).toBe(persona.systemPrompt);
    const total = built.messages.reduce((sum, message) => sum + estimateMessageTokens(message.content), 0);
    expect(total).toBeLessThanOrEqual(4096 - 1024);
  });

  it("labels speakers in shared conversations so the model can tell people apart", () => {
    const history: Turn[] = [
      { role: "user", content: "hi", author: { id: "1", name: "Ada" }, at: 1 },
      { role: "assistant", content: "hello", at: 2 },
    ];
    const built = buildPrompt({
      persona: testPersona("plain"),
      history,
      message: "Bob: me too",
      contextTokens: 4096,
      replyTokens: 512,
      labelSpeakers: true,
    });
    expect(built.messages[1]?.content).toBe("Ada: hi");
    expect(built.messages.at(-1)?.content).toBe("Bob: me too");
  });

  it("joins two user turns in a row (a failed answer is never stored) into one message", () => {
    const history: Turn[] = [{ role: "user", content: "first try", at: 1 }];
    const built = buildPrompt({
      persona: testPersona("plain"),
      history,
      message: "second try",
      contextTokens: 4096,
      replyTokens: 512,
      labelSpeakers: false,
    });
    expect(built.messages.map((message) => message.role)).toEqual(["system", "user"]);
    expect(built.messages[1]?.content).toBe("first try\n\nsecond try");
  });
});
