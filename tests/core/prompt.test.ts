import { describe, expect, it } from "vitest";
import { buildPrompt, JOINED_TURNS_SEPARATOR } from "../../src/core/prompt.js";
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
});

/** The roles with system messages left out: what a strict chat template checks. */
function dialogueRoles(messages: readonly { role: string }[]): string[] {
  return messages.filter((message) => message.role !== "system").map((message) => message.role);
}

/** user, assistant, user, …, user: the only shape strict templates accept. */
function alternates(roles: readonly string[]): boolean {
  return (
    roles.length % 2 === 1 && roles.every((role, index) => role === (index % 2 === 0 ? "user" : "assistant"))
  );
}

describe("prompt alternation", () => {
  it("joins a failed question and the next one into one user turn, separated by a rule", () => {
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
    expect(built.messages[1]?.content).toBe(`first try${JOINED_TURNS_SEPARATOR}second try`);
  });

  it("keeps alternation when post_history stands between the failed question and the new one", () => {
    const history: Turn[] = [
      ...turns(2),
      { role: "user", content: "the question whose answer failed", at: 3 },
    ];
    const built = buildPrompt({
      persona,
      history,
      message: "asking again",
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
    // The reminder still comes right before the turn holding the new message.
    expect(built.messages.at(-2)?.content).toBe("Stay Socratic.");
    expect(built.messages.at(-1)?.content).toBe(
      `the question whose answer failed${JOINED_TURNS_SEPARATOR}asking again`,
    );
  });

  it("sends a retried question once, not twice", () => {
    const history: Turn[] = [
      { role: "user", content: "what is a prime?", at: 1 },
      { role: "user", content: "what is a prime?", at: 2 },
    ];
    const built = buildPrompt({
      persona: testPersona("plain"),
      history,
      message: "what is a prime?",
      contextTokens: 4096,
      replyTokens: 512,
      labelSpeakers: false,
    });
    expect(built.messages.slice(1)).toEqual([{ role: "user", content: "what is a prime?" }]);
  });

  it("keeps several people's messages apart by name and rule in a shared conversation", () => {
    const history: Turn[] = [
      { role: "user", content: "who won?", author: { id: "1", name: "Ada" }, at: 1 },
      { role: "user", content: "no idea", author: { id: "2", name: "Bob" }, at: 2 },
    ];
    const built = buildPrompt({
      persona: testPersona("plain"),
      history,
      message: "Cy: ask the bot",
      contextTokens: 4096,
      replyTokens: 512,
      labelSpeakers: true,
    });
    expect(built.messages.slice(1)).toEqual([
      {
        role: "user",
        content: ["Ada: who won?", "Bob: no idea", "Cy: ask the bot"].join(JOINED_TURNS_SEPARATOR),
      },
    ]);
  });

  it("joins two replies in a row (two instances answered at once) and drops empty turns", () => {
    const history: Turn[] = [
      { role: "user", content: "hi", at: 1 },
      { role: "assistant", content: "hello from one", at: 2 },
      { role: "assistant", content: "", at: 3 },
      { role: "assistant", content: "hello from two", at: 4 },
    ];
    const built = buildPrompt({
      persona: testPersona("plain"),
      history,
      message: "and now?",
      contextTokens: 4096,
      replyTokens: 512,
      labelSpeakers: false,
    });
    expect(built.messages.slice(1)).toEqual([
      { role: "user", content: "hi" },
      { role: "assistant", content: `hello from one${JOINED_TURNS_SEPARATOR}hello from two` },
      { role: "user", content: "and now?" },
    ]);
  });

  it("alternates whatever the stored history holds, with or without examples and post_history", () => {
    // A small deterministic generator: every shape of history, not a hand-picked few.
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const personas = [persona, testPersona("plain"), testPersona("reminded", { postHistory: "Be brief." })];
    for (let round = 0; round < 300; round++) {
      const history: Turn[] = Array.from({ length: Math.floor(next() * 12) }, (_, index) => ({
        role: next() < 0.5 ? "user" : "assistant",
        content: next() < 0.1 ? "" : next() < 0.2 ? "same" : `turn ${index}`,
        author: { id: "u", name: next() < 0.5 ? "Ada" : "Bob" },
        at: index,
      }));
      const current = personas[round % personas.length] ?? persona;
      const message = next() < 0.2 ? "same" : "the new message";
      const contextTokens = next() < 0.3 ? 300 : 4096;
      const built = buildPrompt({
        persona: current,
        history,
        message,
        contextTokens,
        replyTokens: 64,
        labelSpeakers: next() < 0.5,
      });
      const roles = dialogueRoles(built.messages);
      expect(alternates(roles), JSON.stringify({ history, roles })).toBe(true);
      expect(built.messages[0]).toEqual({ role: "system", content: current.systemPrompt });
      // System messages only first and, for post_history, right before the last user turn.
      const systems = built.messages.flatMap((message, index) => (message.role === "system" ? [index] : []));
      const expected = current.postHistory === undefined ? [0] : [0, built.messages.length - 2];
      expect(systems).toEqual(expected);
      expect(built.messages.at(-1)?.content.endsWith(message)).toBe(true);
      // Joining turns never pushes the prompt over the budget the separate turns fitted in.
      const total = built.messages.reduce((sum, entry) => sum + estimateMessageTokens(entry.content), 0);
      expect(total).toBeLessThanOrEqual(contextTokens - 64);
    }
  });
});

describe("lore and compiled personas in the prompt", () => {
  it("puts lore before and after the persona's prompt in the system message", () => {
    const built = buildPrompt({
      persona,
      history: [],
      message: "hi",
      contextTokens: 4096,
      replyTokens: 512,
      labelSpeakers: false,
      lore: { before: "WORLD", after: "DRAGONS" },
    });
    expect(built.messages[0]).toEqual({
      role: "system",
      content: "WORLD\n\nYou are a patient tutor.\n\nDRAGONS",
    });
  });

  it("counts lore in the budget, so history is trimmed earlier", () => {
    const input = {
      persona,
      history: turns(200),
      message: "q",
      contextTokens: 2048,
      replyTokens: 512,
      labelSpeakers: false,
    };
    const without = buildPrompt(input);
    const withLore = buildPrompt({ ...input, lore: { before: "", after: "lore ".repeat(400) } });
    expect(withLore.droppedTurns).toBeGreaterThan(without.droppedTurns);
    const total = withLore.messages.reduce((sum, message) => sum + estimateMessageTokens(message.content), 0);
    expect(total).toBeLessThanOrEqual(2048 - 512);
  });

  it("omits the system prompt and examples of a persona compiled into its current model, lore joining the reminder", () => {
    const compiled = { ...persona, compiled: { model: "troupe-tutor", current: true } };
    const input = {
      persona: compiled,
      history: turns(2, 5),
      message: "hi",
      contextTokens: 4096,
      replyTokens: 512,
      labelSpeakers: false,
    };
    expect(buildPrompt(input).messages).toEqual([
      { role: "user", content: "turn 0 xxxxx" },
      { role: "assistant", content: "turn 1 xxxxx" },
      { role: "system", content: "Stay Socratic." },
      { role: "user", content: "hi" },
    ]);
    // Never a leading system message: Ollama would then leave out the model's own prompt.
    const withLore = buildPrompt({ ...input, lore: { before: "WORLD", after: "DRAGONS" } });
    expect(withLore.messages[0]).toEqual({ role: "user", content: "turn 0 xxxxx" });
    expect(withLore.messages[2]).toEqual({ role: "system", content: "WORLD\n\nDRAGONS\n\nStay Socratic." });
  });

  it("on a first turn of a compiled persona, a reminder that would lead carries the persona's prompt", () => {
    const compiled = { ...persona, compiled: { model: "troupe-tutor", current: true } };
    const built = buildPrompt({
      persona: compiled,
      history: [],
      message: "hi",
      contextTokens: 4096,
      replyTokens: 512,
      labelSpeakers: false,
    });
    expect(built.messages).toEqual([
      { role: "system", content: "You are a patient tutor.\n\nStay Socratic." },
      { role: "user", content: "hi" },
    ]);
    const bare = { ...compiled, postHistory: undefined };
    expect(
      buildPrompt({
        persona: bare,
        history: [],
        message: "hi",
        contextTokens: 4096,
        replyTokens: 512,
        labelSpeakers: false,
      }).messages,
    ).toEqual([{ role: "user", content: "hi" }]);
  });

  it("counts a compiled persona's prompt and examples in the budget: Ollama still puts them in the context", () => {
    const long = { ...persona, systemPrompt: "p ".repeat(2000) };
    const input = {
      history: turns(200),
      message: "q",
      contextTokens: 2048,
      replyTokens: 512,
      labelSpeakers: false,
    };
    const sent = buildPrompt({ ...input, persona: long });
    const compiled = buildPrompt({ ...input, persona: { ...long, compiled: { model: "m", current: true } } });
    expect(compiled.droppedTurns).toBe(sent.droppedTurns);
  });

  it("sends the prompt as before when the compile is stale", () => {
    const stale = { ...persona, compiled: { model: "troupe-tutor", current: false } };
    const built = buildPrompt({
      persona: stale,
      history: [],
      message: "hi",
      contextTokens: 4096,
      replyTokens: 512,
      labelSpeakers: false,
    });
    expect(built.messages[0]?.content).toBe("You are a patient tutor.");
    expect(built.messages[1]?.content).toBe("What is 2+2?");
  });
});
