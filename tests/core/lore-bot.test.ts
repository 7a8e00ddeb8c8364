/** A persona file's lorebook, through the parser and the bot, to what the model is sent. */
import { describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import { createBot } from "../../src/core/bot.js";
import { parsePersona } from "../../src/personas/parser/persona-parser.js";
import { staticCatalog } from "../helpers/personas.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";
import { createRecordingSink } from "../helpers/recording-sink.js";
import { createScriptedModel } from "../helpers/scripted-model.js";
import { createSwitchableStore } from "../helpers/switchable-store.js";
import { message } from "./bot-fixture.js";

const keeper = parsePersona(
  [
    "---",
    "name: keeper",
    "lore:",
    "  - name: dragons",
    "    keys: [dragon, wyrm]",
    "    content: Dragons in this land sleep on beds of salt, never gold.",
    "  - name: the-keep",
    "    keys: [keep]",
    "    position: before_char",
    "    content: The keep has seven towers.",
    "  - name: elves",
    "    keys: [elf, elves]",
    "    content: Elves here are allergic to moonlight.",
    "---",
    "You are the keeper of the old library.",
  ].join("\n"),
  { path: "personas/keeper.md", fileName: "keeper.md" },
);

function keeperBot() {
  const model = createScriptedModel();
  const logger = createRecordingLogger();
  const bot = createBot({
    model,
    store: createSwitchableStore(),
    personas: staticCatalog([keeper]),
    commands,
    logger,
    settings: { defaultPersona: "keeper", contextTokens: 4096, replyTokens: 512 },
  });
  return { bot, model, logger };
}

describe("lorebook through the bot", () => {
  it("sends a fired entry's text to the model, not an unfired one's, and logs which fired", async () => {
    const { bot, model, logger } = keeperBot();
    await bot.handleMessage(message("Does a dragon live near the keep?"), createRecordingSink());
    const system = model.requests[0]?.messages[0];
    expect(system).toEqual({
      role: "system",
      content:
        "The keep has seven towers.\n\nYou are the keeper of the old library.\n\n" +
        "Dragons in this land sleep on beds of salt, never gold.",
    });
    const sent = JSON.stringify(model.requests[0]?.messages);
    expect(sent).not.toContain("moonlight");
    const answered = logger.lines.find((line) => line.message === "answered");
    expect(answered?.fields.lore).toEqual(["the-keep", "dragons"]);
  });

  it("keeps an entry fired by the previous messages within scan depth, and sends only the prompt when nothing fires", async () => {
    const { bot, model } = keeperBot();
    await bot.handleMessage(message("Tell me about elves."), createRecordingSink());
    await bot.handleMessage(message("And what do they eat?"), createRecordingSink());
    expect(model.requests[1]?.messages[0]?.content).toContain("allergic to moonlight");
    const fresh = keeperBot();
    await fresh.bot.handleMessage(message("Good morning"), createRecordingSink());
    expect(fresh.model.requests[0]?.messages[0]).toEqual({
      role: "system",
      content: "You are the keeper of the old library.",
    });
  });
});
