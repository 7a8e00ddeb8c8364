/**
 * import(export(x)) keeps every field: a V2 card imported, exported as a V3 card and imported again
 * gives the same persona file byte for byte (PNG and JSON); the exported card holds the original
 * card's values; a hand-written persona exported and imported back is the same persona.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decode as decodeText } from "png-chunk-text";
import extractChunks from "png-chunks-extract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exportPersona } from "../../../src/personas/formats/export-persona.js";
import { importCharacter } from "../../../src/personas/formats/import-character.js";
import { parsePersona } from "../../../src/personas/parser/persona-parser.js";
import {
  base64Json,
  cardV2,
  cardV3,
  characterBook,
  pngWithText,
  tempFolder,
  writeInput,
} from "./card-builders.js";

let folder: Awaited<ReturnType<typeof tempFolder>>;
beforeEach(async () => {
  folder = await tempFolder();
});
afterEach(() => folder.cleanup());

const settings = () => ({ personasDir: folder.personas, personaMaxKb: 256, baseModel: "llama3.2" });

async function importPath(file: string, force = false) {
  return importCharacter({ file, personasDir: folder.personas, force, personaMaxKb: 256 });
}

function cardChunks(png: Uint8Array): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  for (const chunk of extractChunks(png)) {
    if (chunk.name !== "tEXt") continue;
    const { keyword, text } = decodeText(chunk.data);
    found[keyword] = JSON.parse(Buffer.from(text, "base64").toString("utf8"));
  }
  return found;
}

describe("card → persona → card → persona", () => {
  it("a V2 PNG card with a lorebook comes back to the same persona file through a V3 PNG", async () => {
    const original = cardV2({ character_book: characterBook });
    const first = await importPath(
      await writeInput(folder.root, "seraphina.png", pngWithText({ chara: base64Json(original) })),
    );
    const firstText = await readFile(first.personaPath, "utf8");
    const firstAvatar = await readFile(first.avatarPath ?? "");

    const out = join(folder.root, "exported.png");
    expect((await exportPersona({ ...settings(), name: "seraphina", format: "card-v3", out })).path).toBe(
      out,
    );
    const png = new Uint8Array(await readFile(out));
    const chunks = cardChunks(png);
    const v3 = chunks.ccv3 as { spec: string; data: Record<string, unknown> };
    const v2 = chunks.chara as { spec: string; data: Record<string, unknown> };
    expect(v3.spec).toBe("chara_card_v3");
    expect(v2.spec).toBe("chara_card_v2");
    // Every field of the original card is back as it was (extensions gain troupe's own).
    const { extensions, character_book, ...fields } = original.data as Record<string, unknown>;
    expect(v3.data).toMatchObject(fields);
    expect(v2.data).toMatchObject(fields);
    expect(v3.data.extensions).toMatchObject(extensions as object);
    expect(v3.data.character_book).toMatchObject(character_book as object);
    expect(v3.data.group_only_greetings).toEqual([]);
    expect(v2.data).not.toHaveProperty("group_only_greetings");

    const second = await importPath(out, true);
    expect(second.personaPath).toBe(first.personaPath);
    expect(await readFile(second.personaPath, "utf8")).toBe(firstText);
    // The persona's avatar was the card's image: it is the exported card's image again.
    expect(await readFile(second.avatarPath ?? "")).toEqual(firstAvatar);
  });

  it("a V2 JSON card comes back to the same persona file through V3 JSON", async () => {
    const first = await importPath(await writeInput(folder.root, "card.json", JSON.stringify(cardV2())));
    const firstText = await readFile(first.personaPath, "utf8");
    const out = join(folder.root, "out.card.json");
    await exportPersona({ ...settings(), name: "seraphina", format: "card-v3", out });
    await importPath(out, true);
    expect(await readFile(first.personaPath, "utf8")).toBe(firstText);
  });

  it("a V3 card keeps its V3-only fields through the round trip", async () => {
    const first = await importPath(await writeInput(folder.root, "aria.json", JSON.stringify(cardV3())));
    const firstText = await readFile(first.personaPath, "utf8");
    const out = join(folder.root, "aria.card.json");
    await exportPersona({ ...settings(), name: "aria", format: "card-v3", out });
    const exported = JSON.parse(await readFile(out, "utf8")) as { data: Record<string, unknown> };
    const { extensions: _extensions, ...fields } = cardV3().data as Record<string, unknown>;
    expect(exported.data).toMatchObject(fields);
    await importPath(out, true);
    expect(await readFile(first.personaPath, "utf8")).toBe(firstText);
  });

  it("an edit to the prompt in the persona file wins over the kept card text on export", async () => {
    const first = await importPath(await writeInput(folder.root, "card.json", JSON.stringify(cardV2())));
    const text = await readFile(first.personaPath, "utf8");
    // In the body only (the kept original in the front matter says the same words).
    const bodyStart = text.indexOf("\n---\n", 4) + 5;
    const edited =
      text.slice(0, bodyStart) + text.slice(bodyStart).replace("kind, protective", "stern, protective");
    await writeFile(first.personaPath, edited);
    const out = join(folder.root, "edited.json");
    await exportPersona({ ...settings(), name: "seraphina", format: "card-v3", out });
    const exported = JSON.parse(await readFile(out, "utf8")) as { data: Record<string, unknown> };
    expect(exported.data.system_prompt).toContain("stern, protective");
    expect(exported.data.personality).toBe("");
    // Fields the edit did not touch keep their originals.
    expect(exported.data.creator).toBe("test-author");
  });
});

describe("a hand-written persona → card → persona", () => {
  it("keeps every field", async () => {
    await mkdir(folder.personas, { recursive: true });
    const handWritten = [
      "---",
      "name: coach",
      "display_name: Coach Kim",
      "description: A running coach.",
      "avatar: https://example.invalid/kim.png",
      "emoji: 🏃",
      "greeting: Ready to run, {{user}}?",
      "temperature: 0.4",
      "top_p: 0.9",
      "max_tokens: 300",
      "stop: ['\\nUser:']",
      "examples:",
      "  - user: How far today?",
      "    assistant: Five easy kilometres.",
      "post_history: Keep answers short.",
      "tags: [sport, health]",
      "model: coach-lora",
      "lore:",
      "  - keys: [marathon]",
      "    content: A marathon is 42.195 km.",
      "  - constant: true",
      "    content: '{{char}} never gives medical advice.'",
      "extensions:",
      "  mine: { a: 1 }",
      "---",
      "You are {{char}}, a patient running coach.",
      "",
      "Ask about {{user}}'s goals first.",
      "",
    ].join("\n");
    const path = join(folder.personas, "coach.md");
    await writeFile(path, handWritten);
    const before = parsePersona(handWritten, { path, fileName: "coach.md" });

    const out = join(folder.root, "coach.card.json");
    await exportPersona({ ...settings(), name: "coach", format: "card-v3", out });
    const card = JSON.parse(await readFile(out, "utf8")) as { data: Record<string, unknown> };
    expect(card.data).toMatchObject({
      name: "Coach Kim",
      system_prompt: before.systemPrompt,
      first_mes: "Ready to run, {{user}}?",
      mes_example: "<START>\n{{user}}: How far today?\n{{char}}: Five easy kilometres.",
      post_history_instructions: "Keep answers short.",
      creator_notes: "A running coach.",
      tags: ["sport", "health"],
    });

    const again = await importPath(out, true);
    expect(again.personaPath).toBe(path);
    const after = parsePersona(await readFile(path, "utf8"), { path, fileName: "coach.md" });
    expect(after).toEqual(before);
  });
});
