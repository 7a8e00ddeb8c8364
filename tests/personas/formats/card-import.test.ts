/**
 * Importing Character Cards: PNG (V2 `chara`, V3 `ccv3`, both), JSON (V2, V3, with and without a
 * lorebook) and CHARX zips, each built here with the real chunk and zip libraries; the persona file
 * written loads through the real parser with every card field somewhere, and the avatar is saved.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { decode as decodeText } from "png-chunk-text";
import extractChunks from "png-chunks-extract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importCharacter } from "../../../src/personas/formats/import-character.js";
import { readPersonaDraft } from "../../../src/personas/formats/persona-draft.js";
import { parsePersonaFile } from "../../../src/personas/parser/persona-parser.js";
import {
  base64Json,
  cardV2,
  cardV3,
  characterBook,
  charxZip,
  pngWithText,
  tempFolder,
  tinyPng,
  writeInput,
} from "./card-builders.js";

let folder: Awaited<ReturnType<typeof tempFolder>>;
beforeEach(async () => {
  folder = await tempFolder();
});
afterEach(() => folder.cleanup());

async function importFile(name: string, data: Uint8Array | string, force = false) {
  const file = await writeInput(folder.root, name, data);
  return importCharacter({ file, personasDir: folder.personas, force, personaMaxKb: 256 });
}

async function load(path: string) {
  const text = await readFile(path, "utf8");
  return { text, ...readPersonaDraft(text, { path, fileName: path.split("/").pop() ?? "" }) };
}

describe("importing a V2 card from a PNG", () => {
  it("writes a persona that loads, with the card's fields mapped and the PNG as the avatar", async () => {
    const result = await importFile("seraphina.png", pngWithText({ chara: base64Json(cardV2()) }));

    expect(result.personaPath).toBe(join(folder.personas, "seraphina.md"));
    const { persona, draft } = await load(result.personaPath);
    expect(persona.name).toBe("seraphina");
    expect(persona.displayName).toBe("Seraphina");
    expect(persona.description).toBe("A gentle healer for fantasy chats.");
    expect(persona.greeting).toBe("*smiles* You're awake, {{user}}.");
    expect(persona.postHistory).toBe("Stay gentle.");
    expect(persona.tags).toEqual(["fantasy", "healer"]);
    // The <START> block that opens with the character is no user/assistant pair.
    expect(persona.examples).toEqual([
      { user: "Who are you?", assistant: "I am {{char}}.\nI guard this forest." },
    ]);
    expect(persona.systemPrompt).toContain("{{char}} is a guardian of the forest.\nShe heals travellers.");
    expect(persona.systemPrompt).toContain("kind, protective");
    expect(persona.systemPrompt).toContain("{{user}} wakes up in {{char}}'s glade.");
    // No home in troupe: kept as written.
    expect(draft.frontMatter.extensions?.card).toMatchObject({
      alternate_greetings: ["Hello again, {{user}}."],
      creator: "test-author",
      character_version: "1.2",
      creator_notes: "A gentle healer for fantasy chats.\nUse with care.",
      mes_example: cardV2().data && (cardV2().data as { mes_example: string }).mes_example,
      extensions: { talkativeness: "0.5", depth_prompt: { prompt: "Be kind.", depth: 4 } },
    });

    expect(persona.avatar).toBe("avatars/seraphina.png");
    expect(result.avatarPath).toBe(join(folder.personas, "avatars", "seraphina.png"));
    const avatar = await readFile(result.avatarPath ?? "");
    const keywords = extractChunks(avatar)
      .filter((chunk) => chunk.name === "tEXt")
      .map((chunk) => decodeText(chunk.data).keyword);
    // The image, without the card inside it.
    expect(keywords).toEqual([]);
    expect(extractChunks(avatar).map((chunk) => chunk.name)).toEqual(["IHDR", "IDAT", "IEND"]);
  });

  it("prefers the ccv3 chunk when a PNG has both", async () => {
    const png = pngWithText({ chara: base64Json(cardV2()), ccv3: base64Json(cardV3()) });
    const result = await importFile("both.png", png);
    const { persona, draft } = await load(result.personaPath);
    expect(persona.name).toBe("aria");
    expect(draft.frontMatter.extensions?.card).toMatchObject({
      nickname: "Ari",
      creator_notes_multilingual: { fr: "Une guérisseuse." },
      source: ["https://example.invalid/aria"],
      group_only_greetings: ["Hi all."],
      creation_date: 1_700_000_000,
      modification_date: 1_700_000_100,
    });
  });
});

describe("importing JSON cards", () => {
  it("maps a V2 character_book into lore: with the same field names", async () => {
    const result = await importFile("card.json", JSON.stringify(cardV2({ character_book: characterBook })));
    const { persona, draft } = await load(result.personaPath);
    expect(draft.frontMatter.lore).toEqual({
      name: "Forest lore",
      scan_depth: 3,
      entries: [
        {
          keys: ["glade"],
          content: "The glade is sacred to {{char}}.",
          insertion_order: 0,
          secondary_keys: ["moon"],
          selective: true,
          position: "before_char",
        },
        {
          keys: ["river"],
          content: "The river runs north.",
          enabled: false,
          insertion_order: 1,
          extensions: { x: 1 },
        },
      ],
    });
    expect(persona.lore?.entries.map((entry) => entry.enabled)).toEqual([true, false]);
    expect(persona.lore?.scanDepth).toBe(3);
    // Nothing had to be kept aside: the book comes back from lore: alone.
    expect(draft.frontMatter.extensions?.card).not.toHaveProperty("character_book");
    expect(result.avatarPath).toBeUndefined();
    expect(persona.avatar).toBeUndefined();
  });

  it("keeps a lorebook entry troupe cannot use beside the persona instead of refusing the card", async () => {
    const book = {
      ...characterBook,
      entries: [
        ...characterBook.entries,
        { keys: [], content: "", extensions: {}, enabled: true, insertion_order: 2 },
      ],
    };
    const result = await importFile("card.json", JSON.stringify(cardV2({ character_book: book })));
    const { draft } = await load(result.personaPath);
    expect((draft.frontMatter.lore as { entries: unknown[] }).entries).toHaveLength(2);
    expect(draft.frontMatter.extensions?.card).toMatchObject({ character_book: book });
  });

  it("imports a V3 card with only a system prompt as exactly that prompt", async () => {
    const card = cardV3({
      system_prompt: "You are {{char}}, a poet.",
      description: "",
      personality: "",
      scenario: "",
    });
    const result = await importFile("aria.json", JSON.stringify(card));
    const { persona, text } = await load(result.personaPath);
    expect(persona.systemPrompt).toBe("You are {{char}}, a poet.");
    expect(text).toContain("name: aria\n");
  });

  it("names the persona from the character's name: lower case, runs of other characters as '-', at most 32", async () => {
    const card = cardV2({ name: "  Dr. Émile   Zola — the 2nd Writer of Many Novels!! " });
    const result = await importFile("x.json", JSON.stringify(card));
    expect(result.personaPath).toBe(join(folder.personas, "dr-mile-zola-the-2nd-writer-of-m.md"));
    parsePersonaFile(await readFile(result.personaPath, "utf8"), {
      path: result.personaPath,
      fileName: "x.md",
    });
  });
});

describe("what a card from anywhere may set", () => {
  it("takes persona fields from extensions.troupe, but an avatar only as a web address, and drops empty lore keys", async () => {
    const card = cardV2({
      extensions: { troupe: { name: "healer", temperature: 0.3, avatar: "/etc/secret.png" } },
      character_book: { entries: [{ keys: ["", "dragon"], content: "Dragons sleep.", insertion_order: 0 }] },
    });
    const result = await importFile("card.json", JSON.stringify(card));
    expect(result.personaPath).toBe(join(folder.personas, "healer.md"));
    const { persona } = await load(result.personaPath);
    expect(persona.temperature).toBe(0.3);
    expect(persona.avatar).toBeUndefined();
    expect(persona.lore?.entries.map((entry) => entry.keys)).toEqual([["dragon"]]);
  });
});

describe("importing a CHARX zip", () => {
  it("reads card.json and saves the main icon asset as the avatar", async () => {
    const card = cardV3({
      assets: [
        { type: "background", uri: "embeded://assets/background/images/bg.png", name: "bg", ext: "png" },
        { type: "icon", uri: "embeded://assets/icon/images/main.png", name: "main", ext: "png" },
      ],
    });
    const icon = tinyPng();
    const zip = charxZip({ "card.json": JSON.stringify(card), "assets/icon/images/main.png": icon });
    const result = await importFile("aria.charx", zip);
    expect(result.avatarPath).toBe(join(folder.personas, "avatars", "aria.png"));
    expect(new Uint8Array(await readFile(result.avatarPath ?? ""))).toEqual(icon);
    const { persona, draft } = await load(result.personaPath);
    expect(persona.avatar).toBe("avatars/aria.png");
    expect(draft.frontMatter.extensions?.card).toMatchObject({
      assets: card.data && (card.data as { assets: unknown }).assets,
    });
  });

  it("takes an icon given as a web address as the avatar URL (Discord and Slack can show it)", async () => {
    const card = cardV3({
      assets: [{ type: "icon", uri: "https://example.invalid/aria.png", name: "main", ext: "png" }],
    });
    const result = await importFile("aria.json", JSON.stringify(card));
    const { persona } = await load(result.personaPath);
    expect(persona.avatar).toBe("https://example.invalid/aria.png");
    expect(result.avatarPath).toBeUndefined();
  });
});

describe("overwriting", () => {
  it("refuses to replace an existing persona without force, and replaces it with force", async () => {
    const first = await importFile("card.json", JSON.stringify(cardV2()));
    const before = await readFile(first.personaPath, "utf8");
    await expect(importFile("card.json", JSON.stringify(cardV2({ creator: "other" })))).rejects.toThrow(
      `${first.personaPath} already exists: pass --force to replace it`,
    );
    expect(await readFile(first.personaPath, "utf8")).toBe(before);
    await importFile("card.json", JSON.stringify(cardV2({ creator: "other" })), true);
    expect(await readFile(first.personaPath, "utf8")).toContain("creator: other");
  });
});
