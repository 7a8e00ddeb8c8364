/**
 * The terminal chat's own lines (start-up notices, the greeting, persona-file notices) carry text
 * from persona files and start-up checks: control sequences in them are shown, never acted on.
 * And what is typed, or announced, while an answer streams waits until the answer has ended.
 */
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { commands } from "../../../commands/index.js";
import {
  type ConsoleConnector,
  createConsoleConnector,
} from "../../../src/connectors/console/console-connector.js";
import { createBot } from "../../../src/core/bot.js";
import { staticCatalog, testPersona } from "../../helpers/personas.js";
import { createRecordingLogger } from "../../helpers/recording-logger.js";
import { createScriptedModel } from "../../helpers/scripted-model.js";
import { createSwitchableStore } from "../../helpers/switchable-store.js";

const ESC = "\u001b";
const TITLE = "\u001b]0;pwned\u0007";
const CLEAR = "\u001b[2J";

let connector: ConsoleConnector | undefined;
afterEach(async () => {
  await connector?.stop();
  connector = undefined;
});

function startChat(
  greeting: string,
  notices: string[],
  { model = createScriptedModel(), store = createSwitchableStore() } = {},
) {
  const bot = createBot({
    model,
    store,
    personas: staticCatalog([testPersona("tutor", { greeting })]),
    commands,
    logger: createRecordingLogger(),
    settings: { defaultPersona: "tutor", contextTokens: 4096, replyTokens: 512 },
  });
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = "";
  output.on("data", (chunk: Buffer) => {
    screen += chunk.toString("utf8");
  });
  connector = createConsoleConnector({
    bot,
    logger: createRecordingLogger(),
    input,
    output,
    errorOutput: new PassThrough(),
    interactive: true,
    color: false,
    identity: { userName: "ada" },
    notices,
    onEnd: () => {},
  });
  return { connector, input, screen: () => screen };
}

/** The screen as text: cursor and style sequences dropped. */
const asText = (screen: string) => screen.replace(new RegExp(`${ESC}\\[[0-9;]*[A-Za-z]`, "gu"), "");

/** Waits until `done()`, a bounded number of turns of the event loop and timers (the paste window). */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let turn = 0; !done(); turn++) {
    if (turn > 500) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("console connector: its own lines", () => {
  it("shows control sequences in the greeting, notices and persona notices visibly", async () => {
    const chat = startChat(`Hi${TITLE} there`, [`Model: x${CLEAR}`]);
    await chat.connector.start();
    chat.connector.notify(`persona evil added${TITLE}`);
    const screen = chat.screen();
    expect(screen).toContain("Hi^[]0;pwned^G there");
    expect(screen).toContain("Model: x^[[2J");
    expect(screen).toContain("persona evil added^[]0;pwned^G");
    expect(screen).not.toContain(TITLE);
    expect(screen).not.toContain(CLEAR);
  });
});

describe("console connector: the greeting", () => {
  it("fills {{char}} with the persona's name and {{user}} with the person at the terminal", async () => {
    const chat = startChat("Hello {{User}}, I am {{char}}.", []);
    await chat.connector.start();
    expect(asText(chat.screen())).toContain("Hello ada, I am Tutor.");
  });
});

describe("console connector: during an answer", () => {
  it("holds typing and notices until the answer ends, then shows them in order below it", async () => {
    const model = createScriptedModel();
    let finish = () => {};
    model.enqueue({
      deltas: ["Half an ", "answer"],
      gate: new Promise<void>((resolve) => (finish = resolve)),
    });
    const chat = startChat("Hi", [], { model });
    await chat.connector.start();
    chat.input.write("question\r");
    await until(() => chat.screen().includes("Half an answer"), "the answer's first part");
    const answerStart = chat.screen().length;

    chat.input.write("next one\r");
    chat.input.write("half typed");
    chat.connector.notify("Persona `pirate` added (pirate.md).");
    // Time for the keys to be read and the paste window to pass: all of it still waits.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(chat.screen().slice(answerStart)).toBe("");

    finish();
    await until(() => asText(chat.screen()).includes("› half typed"), "the prompt with the half-typed line");
    expect(asText(chat.screen().slice(answerStart))).toBe(
      ["", "Persona `pirate` added (pirate.md).", "› next one", "Tutor: echo: next one", "› half typed"].join(
        "\n",
      ),
    );
    expect(model.requests.map((request) => request.messages.at(-1)?.content)).toEqual([
      "question",
      "next one",
    ]);
  });
});

describe("console connector: a restart", () => {
  it("says it is continuing, with the persona, when the conversation has history", async () => {
    const store = createSwitchableStore();
    await store.appendTurns("console:ada", [{ role: "user", content: "my name is Ada", at: 1 }]);
    const chat = startChat("Hi, learner!", [], { store });
    await chat.connector.start();
    expect(chat.screen()).toContain("Tutor: continuing our conversation (/reset to start over)\n");
    expect(chat.screen()).not.toContain("Hi, learner!");
  });

  it("greets as new when the conversation has no history", async () => {
    const chat = startChat("Hi, learner!", []);
    await chat.connector.start();
    expect(chat.screen()).toContain("Tutor: Hi, learner!\n");
    expect(chat.screen()).not.toContain("continuing");
  });
});
