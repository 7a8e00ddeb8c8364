/**
 * Files that are not (good) characters: each is refused by `persona import` with exit 1, one
 * message naming the file and the fault, and nothing written in PERSONAS_DIR (no half files).
 */
import { mkdir, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { run as importVerb } from "../../../src/app/persona-cli/import.js";
import type { PersonaCliIo } from "../../../src/app/persona-cli/persona-cli-io.js";
import { loadConfig } from "../../../src/config.js";
import {
  base64Json,
  cardV2,
  cardV3,
  charxZip,
  filesBelow,
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

function io(personas: string): PersonaCliIo & { out: string; err: string } {
  const recorded = {
    out: "",
    err: "",
    stdout(text: string) {
      recorded.out += text;
    },
    stderr(text: string) {
      recorded.err += text;
    },
    config: () => loadConfig({ PERSONAS_DIR: personas }, { readDotenv: false }),
  };
  return recorded;
}

async function importRefused(
  name: string,
  data: Uint8Array | string,
): Promise<{ file: string; err: string }> {
  return importRefusedAt(await writeInput(folder.root, name, data));
}

async function importRefusedAt(file: string): Promise<{ file: string; err: string }> {
  const recorded = io(folder.personas);
  const code = await importVerb([file], recorded);
  expect(code).toBe(1);
  expect(recorded.out).toBe("");
  expect(await filesBelow(folder.personas)).toEqual([]);
  return { file, err: recorded.err };
}

describe("persona import refuses", () => {
  it("a file that is no character at all", async () => {
    const { file, err } = await importRefused("notes.txt", "just some notes");
    expect(err).toBe(
      `persona import: ${file}: not a character card: expected a PNG card, a CHARX (zip) or a JSON character (Character Card V2/V3 or elizaOS)\nNothing was written.\n`,
    );
  });

  it("a PNG without a card chunk", async () => {
    const { file, err } = await importRefused("photo.png", pngWithText({ Comment: "hello" }));
    expect(err).toContain(`${file}: the PNG has no character card in it (no "ccv3" or "chara" text chunk)`);
  });

  it("a card chunk that is not base64", async () => {
    const { file, err } = await importRefused("card.png", pngWithText({ chara: "not*base64!" }));
    expect(err).toContain(`${file}: the "chara" chunk is not valid base64`);
  });

  it("a card chunk whose base64 holds no JSON", async () => {
    const { file, err } = await importRefused(
      "card.png",
      pngWithText({ ccv3: Buffer.from("{nope").toString("base64") }),
    );
    expect(err).toContain(`${file}: the "ccv3" chunk is not valid JSON:`);
  });

  it("a JSON file that does not parse", async () => {
    const { file, err } = await importRefused("card.json", '{"spec": "chara_card_v2", ');
    expect(err).toContain(`${file}: the file is not valid JSON:`);
  });

  it("a card without a name", async () => {
    const { file, err } = await importRefused("card.json", JSON.stringify(cardV2({ name: "  " })));
    expect(err).toContain(`${file}: not a valid chara_card_v2 card: data.name: the character has no name`);
  });

  it("a card with a field of the wrong type", async () => {
    const { file, err } = await importRefused("card.json", JSON.stringify(cardV3({ tags: "fantasy" })));
    expect(err).toContain(`${file}: not a valid chara_card_v3 card: data.tags:`);
  });

  it("an unknown spec", async () => {
    const { file, err } = await importRefused(
      "card.json",
      JSON.stringify({ ...cardV2(), spec: "chara_card_v9" }),
    );
    expect(err).toContain(
      `${file}: not a supported character card: it has spec "chara_card_v9"; expected "chara_card_v2" or "chara_card_v3"`,
    );
  });

  it("a CHARX without card.json", async () => {
    const { file, err } = await importRefused(
      "aria.charx",
      charxZip({ "assets/icon/images/main.png": tinyPng() }),
    );
    expect(err).toContain(`${file}: the CHARX (zip) has no card.json: it is not a character card`);
  });

  it("an oversize file, unread", async () => {
    const path = await writeInput(folder.root, "huge.json", "");
    // Sparse: the size is what counts, and writing 32 MB would only slow the test down.
    await truncate(path, 32 * 1024 * 1024 + 1);
    const { file, err } = await importRefusedAt(path);
    expect(err).toContain(
      `${file}: too big to be a character card (33554433 bytes; the limit is 33554432 bytes)`,
    );
  });

  it("a card whose persona would be over PERSONA_MAX_KB", async () => {
    const file = await writeInput(
      folder.root,
      "long.json",
      JSON.stringify(cardV2({ description: "word ".repeat(300_000) })),
    );
    const recorded = io(folder.personas);
    const code = await importVerb([file], recorded);
    expect(code).toBe(1);
    expect(recorded.err).toContain("KB, over PERSONA_MAX_KB=256: raise PERSONA_MAX_KB to import it");
    expect(await filesBelow(folder.personas)).toEqual([]);
  });

  it("to overwrite an existing persona or avatar without --force, leaving both as they were", async () => {
    await mkdir(join(folder.personas, "avatars"), { recursive: true });
    await writeFile(join(folder.personas, "avatars", "seraphina.png"), "old avatar");
    const file = await writeInput(folder.root, "card.png", pngWithText({ chara: base64Json(cardV2()) }));
    const recorded = io(folder.personas);
    expect(await importVerb([file], recorded)).toBe(1);
    expect(recorded.err).toContain(
      `${join(folder.personas, "avatars", "seraphina.png")} already exists: pass --force to replace it`,
    );
    expect(await filesBelow(folder.personas)).toEqual(["avatars", "avatars/seraphina.png"]);
  });

  it("a usage error with exit 2 and the usage line", async () => {
    const recorded = io(folder.personas);
    expect(await importVerb([], recorded)).toBe(2);
    expect(recorded.err).toContain("usage: npm run persona -- import FILE [--force]");
  });
});
