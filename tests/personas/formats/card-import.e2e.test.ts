/**
 * The whole path as a person takes it: `npm run persona -- import card.png` into a personas folder,
 * then `npm start` with that persona answering, against the fake Ollama: the card's text reaches the
 * model as the system prompt, with {{char}} as the character's name and {{user}} as the speaker's.
 */
import { mkdir } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../../fakes/fake-ollama.js";
import { runCommand, runTroupe } from "../../helpers/run-troupe.js";
import { base64Json, cardV2, pngWithText, tempFolder, writeInput } from "./card-builders.js";

let ollama: FakeOllama;
let folder: Awaited<ReturnType<typeof tempFolder>>;

beforeAll(async () => {
  ollama = await startFakeOllama();
});
afterAll(() => ollama.close());
beforeEach(async () => {
  folder = await tempFolder();
  await mkdir(folder.personas);
});
afterEach(() => folder.cleanup());

describe("an imported card answers", () => {
  it("through the real process: imported with npm run persona, loaded by npm start, its prompt sent to the model", async () => {
    const card = await writeInput(folder.root, "seraphina.png", pngWithText({ chara: base64Json(cardV2()) }));
    const env = {
      OLLAMA_HOST: ollama.host,
      STORE_URL: `sqlite://${join(folder.root, "troupe.sqlite")}`,
      PERSONAS_DIR: folder.personas,
      DEFAULT_PERSONA: "seraphina",
    };

    const imported = await runCommand("npm", ["run", "--silent", "persona", "--", "import", card], { env });
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toBe(
      `${join(folder.personas, "seraphina.md")}\n${join(folder.personas, "avatars", "seraphina.png")}\n`,
    );

    const run = await runTroupe(env, "hello there\n");
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().endsWith("echo: hello there")).toBe(true);
    const [body] = ollama.chatBodies().slice(-1);
    const system = body?.messages[0];
    expect(system?.role).toBe("system");
    expect(system?.content).toContain("Seraphina is a guardian of the forest.\nShe heals travellers.");
    expect(system?.content).toContain("## Seraphina's personality\n\nkind, protective");
    // The terminal's speaker is the login name (start-terminal-chat.ts).
    expect(system?.content).toContain(`${userInfo().username} wakes up in Seraphina's glade.`);
    expect(system?.content).not.toContain("{{");
    expect(body?.messages.slice(1, 3)).toEqual([
      { role: "user", content: "Who are you?" },
      { role: "assistant", content: "I am Seraphina.\nI guard this forest." },
    ]);
    expect(body?.messages.some((message) => message.content === "Stay gentle.")).toBe(true);
    expect(body?.messages.at(-1)).toEqual({ role: "user", content: "hello there" });
    // Two child processes start one after the other (tsx each time): more than the usual test's time.
  }, 120_000);
});
