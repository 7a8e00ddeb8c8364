/**
 * {{char}} and {{user}} in any persona text: the display name and the speaker, case-insensitive,
 * through the real answer path (the prompt the model gets) as well as the pure functions.
 */
import { describe, expect, it } from "vitest";
import type { Persona } from "../../src/core/persona.js";
import { personaForSpeaker, renderMacros, UNKNOWN_USER_NAME } from "../../src/core/persona-macros.js";
import { testPersona } from "../helpers/personas.js";
import { createRecordingSink } from "../helpers/recording-sink.js";
import { createBotFixture, message } from "./bot-fixture.js";

const persona: Persona = {
  name: "sera",
  displayName: "Seraphina",
  description: "A healer.",
  systemPrompt: "You are {{char}}. Talk with {{user}}; {{Char}} and {{ USER }} too.",
  greeting: "Hello {{user}}, I am {{char}}.",
  postHistory: "Stay {{char}}.",
  examples: [{ user: "I am {{user}}.", assistant: "Welcome, {{user}}. {{char}} here." }],
  tags: [],
  lore: {
    scanDepth: 4,
    tokenBudget: 512,
    recursiveScanning: false,
    entries: [
      {
        keys: ["{{char}}"],
        secondaryKeys: [],
        selective: false,
        content: "{{char}} lives in a glade.",
        constant: false,
        enabled: true,
        insertionOrder: 0,
        priority: 0,
        caseSensitive: false,
        wholeWords: true,
        useRegex: false,
        position: "after_char",
      },
    ],
  },
  source: "personas/sera.md",
};

describe("renderMacros", () => {
  it("fills {{char}} and {{user}} whatever their case and inner spaces", () => {
    expect(
      renderMacros("{{char}}/{{Char}}/{{CHAR}}/{{ char }} meets {{user}}/{{User}}", {
        char: "Sera",
        user: "Ana",
      }),
    ).toBe("Sera/Sera/Sera/Sera meets Ana/Ana");
  });

  it("says 'the user' when the speaker is unknown or has no name", () => {
    expect(renderMacros("Hi {{user}}", { char: "Sera" })).toBe(`Hi ${UNKNOWN_USER_NAME}`);
    expect(renderMacros("Hi {{user}}", { char: "Sera", user: "  " })).toBe("Hi the user");
  });

  it("leaves other braces alone", () => {
    expect(renderMacros("{{original}} {{random}} {char}", { char: "Sera", user: "Ana" })).toBe(
      "{{original}} {{random}} {char}",
    );
  });
});

describe("personaForSpeaker", () => {
  it("fills every text the model sees: prompt, greeting, reminder, examples and lore contents (not keys)", () => {
    const seen = personaForSpeaker(persona, "Ana");
    expect(seen.systemPrompt).toBe("You are Seraphina. Talk with Ana; Seraphina and Ana too.");
    expect(seen.greeting).toBe("Hello Ana, I am Seraphina.");
    expect(seen.postHistory).toBe("Stay Seraphina.");
    expect(seen.examples).toEqual([{ user: "I am Ana.", assistant: "Welcome, Ana. Seraphina here." }]);
    expect(seen.lore?.entries[0]?.content).toBe("Seraphina lives in a glade.");
    expect(seen.lore?.entries[0]?.keys).toEqual(["{{char}}"]);
    // The loaded persona itself is untouched: the next speaker gets their own name.
    expect(persona.systemPrompt).toContain("{{user}}");
  });
});

describe("an answer", () => {
  it("sends the model the persona's text with {{char}} and {{user}} filled in for the message's author", async () => {
    const { bot, model } = createBotFixture({
      personas: [
        testPersona("tutor", {
          displayName: "Professor Oak",
          systemPrompt: "You are {{char}}; {{user}} is your student.",
          examples: [{ user: "Hi, I am {{user}}.", assistant: "Welcome, {{user}}!" }],
          postHistory: "Answer {{USER}} kindly.",
        }),
      ],
    });
    await bot.handleMessage(message("hello"), createRecordingSink());
    await bot.handleMessage(
      message("hi", { author: { id: "bo", name: "Bo", canManageChannel: false, canManageServer: false } }),
      createRecordingSink(),
    );
    const [ada, bo] = model.requests;
    expect(ada?.messages.slice(0, 3)).toEqual([
      { role: "system", content: "You are Professor Oak; Ada is your student." },
      { role: "user", content: "Hi, I am Ada." },
      { role: "assistant", content: "Welcome, Ada!" },
    ]);
    expect(ada?.messages).toContainEqual({ role: "system", content: "Answer Ada kindly." });
    expect(bo?.messages[0]).toEqual({
      role: "system",
      content: "You are Professor Oak; Bo is your student.",
    });
  });
});
