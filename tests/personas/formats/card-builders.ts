/**
 * Character files built the way card tools build them, with the same libraries: PNGs with `chara`
 * / `ccv3` text chunks, CHARX zips, JSON cards and elizaOS characters; plus a temp folder per test.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, zipSync, zlibSync } from "fflate";
import { encode as encodeText } from "png-chunk-text";
import encodeChunks from "png-chunks-encode";
import extractChunks from "png-chunks-extract";

/** A 2×2 red RGB PNG, built chunk by chunk (the chunk library adds lengths and CRCs). */
export function tinyPng(): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, 2);
  view.setUint32(4, 2);
  header.set([8, 2, 0, 0, 0], 8);
  const row = [0, 255, 0, 0, 255, 0, 0];
  return encodeChunks([
    { name: "IHDR", data: header },
    { name: "IDAT", data: zlibSync(new Uint8Array([...row, ...row])) },
    { name: "IEND", data: new Uint8Array(0) },
  ]);
}

export function base64Json(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64");
}

/** A PNG with text chunks (keyword → text), placed before its end chunk. */
export function pngWithText(chunks: Record<string, string>, image: Uint8Array = tinyPng()): Uint8Array {
  const parts = extractChunks(image);
  const end = parts.findIndex((chunk) => chunk.name === "IEND");
  parts.splice(end, 0, ...Object.entries(chunks).map(([keyword, text]) => encodeText(keyword, text)));
  return encodeChunks(parts);
}

export function charxZip(files: Record<string, Uint8Array | string>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [path, data] of Object.entries(files))
    entries[path] = typeof data === "string" ? strToU8(data) : data;
  return zipSync(entries);
}

export function cardV2(data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    spec: "chara_card_v2",
    spec_version: "2.0",
    data: {
      name: "Seraphina",
      description: "{{char}} is a guardian of the forest.\nShe heals travellers.",
      personality: "kind, protective",
      scenario: "{{user}} wakes up in {{char}}'s glade.",
      first_mes: "*smiles* You're awake, {{user}}.",
      mes_example:
        "<START>\n{{user}}: Who are you?\n{{char}}: I am {{char}}.\nI guard this forest.\n<START>\n{{char}}: *hums*",
      creator_notes: "A gentle healer for fantasy chats.\nUse with care.",
      system_prompt: "",
      post_history_instructions: "Stay gentle.",
      alternate_greetings: ["Hello again, {{user}}."],
      tags: ["fantasy", "healer"],
      creator: "test-author",
      character_version: "1.2",
      extensions: { talkativeness: "0.5", depth_prompt: { prompt: "Be kind.", depth: 4 } },
      ...data,
    },
  };
}

export function cardV3(data: Record<string, unknown> = {}): Record<string, unknown> {
  const v2 = cardV2();
  return {
    spec: "chara_card_v3",
    spec_version: "3.0",
    data: {
      ...(v2.data as Record<string, unknown>),
      name: "Aria",
      nickname: "Ari",
      creator_notes_multilingual: { fr: "Une guérisseuse." },
      source: ["https://example.invalid/aria"],
      group_only_greetings: ["Hi all."],
      creation_date: 1_700_000_000,
      modification_date: 1_700_000_100,
      ...data,
    },
  };
}

export const characterBook = {
  name: "Forest lore",
  scan_depth: 3,
  extensions: {},
  entries: [
    {
      keys: ["glade"],
      content: "The glade is sacred to {{char}}.",
      extensions: {},
      enabled: true,
      insertion_order: 0,
      secondary_keys: ["moon"],
      selective: true,
      position: "before_char",
    },
    {
      keys: ["river"],
      content: "The river runs north.",
      extensions: { x: 1 },
      enabled: false,
      insertion_order: 1,
    },
  ],
};

export function elizaCharacter(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "Eliza Bot",
    username: "eliza",
    system: "You are {{agentName}}, a helpful agent.",
    bio: ["Eliza is a friendly assistant.", "She likes puzzles."],
    lore: ["Built in a lab."],
    adjectives: ["curious", "warm"],
    topics: ["puzzles", "logic"],
    style: { all: ["be brief"], chat: ["ask questions back"], post: ["use hashtags"] },
    messageExamples: [
      [
        { name: "{{name1}}", content: { text: "Hi {{agentName}}!" } },
        { name: "Eliza Bot", content: { text: "Hello, {{name1}}." } },
      ],
    ],
    postExamples: ["Puzzles are fun."],
    knowledge: ["Facts about puzzles."],
    settings: { model: "x", secrets: { API_KEY: "do-not-keep" } },
    secrets: { OTHER_KEY: "do-not-keep" },
    plugins: ["@elizaos/plugin-sql"],
    clients: ["discord"],
    ...extra,
  };
}

export async function tempFolder(): Promise<{
  root: string;
  personas: string;
  cleanup: () => Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), "troupe-cards-"));
  return {
    root,
    personas: join(root, "personas"),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export async function writeInput(root: string, name: string, data: Uint8Array | string): Promise<string> {
  const path = join(root, name);
  await writeFile(path, data);
  return path;
}

/** Every file below a folder (relative paths), for "nothing was written". */
export async function filesBelow(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true })).sort();
  } catch {
    return [];
  }
}
