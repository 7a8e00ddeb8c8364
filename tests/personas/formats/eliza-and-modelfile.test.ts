/**
 * elizaOS characters in and out, and the Ollama Modelfile export, through the real files and the
 * `persona` verbs as the CLI runs them.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { run as exportVerb } from "../../../src/app/persona-cli/export.js";
import { run as importVerb } from "../../../src/app/persona-cli/import.js";
import type { PersonaCliIo } from "../../../src/app/persona-cli/persona-cli-io.js";
import { loadConfig } from "../../../src/config.js";
import { readPersonaDraft } from "../../../src/personas/formats/persona-draft.js";
import { elizaCharacter, tempFolder, writeInput } from "./card-builders.js";

let folder: Awaited<ReturnType<typeof tempFolder>>;
beforeEach(async () => {
  folder = await tempFolder();
});
afterEach(() => folder.cleanup());

function io(env: Record<string, string> = {}): PersonaCliIo & { out: string; err: string } {
  const recorded = {
    out: "",
    err: "",
    stdout(text: string) {
      recorded.out += text;
    },
    stderr(text: string) {
      recorded.err += text;
    },
    config: () => loadConfig({ PERSONAS_DIR: folder.personas, ...env }, { readDotenv: false }),
  };
  return recorded;
}

describe("importing an elizaOS character", () => {
  it("composes the prompt from system, bio, lore, adjectives, topics and style, keeps the rest, never the secrets", async () => {
    const file = await writeInput(folder.root, "eliza.json", JSON.stringify(elizaCharacter()));
    const recorded = io();
    expect(await importVerb([file], recorded)).toBe(0);
    const path = join(folder.personas, "eliza-bot.md");
    expect(recorded.out).toBe(`${path}\n`);
    expect(recorded.err).toContain("its secrets were not imported");

    const text = await readFile(path, "utf8");
    expect(text).not.toContain("do-not-keep");
    const { persona, draft } = readPersonaDraft(text, { path, fileName: "eliza-bot.md" });
    expect(persona.displayName).toBe("Eliza Bot");
    expect(persona.description).toBe("Eliza is a friendly assistant.");
    expect(persona.systemPrompt).toBe(
      [
        "You are {{char}}, a helpful agent.",
        "## About {{char}}\n\n- Eliza is a friendly assistant.\n- She likes puzzles.",
        "## Background\n\n- Built in a lab.",
        "## Personality\n\ncurious, warm",
        "## Topics {{char}} knows\n\n- puzzles\n- logic",
        "## How {{char}} writes\n\n- be brief\n- ask questions back",
      ].join("\n\n"),
    );
    expect(persona.examples).toEqual([{ user: "Hi {{char}}!", assistant: "Hello, {{user}}." }]);
    expect(draft.frontMatter.extensions?.eliza).toMatchObject({
      username: "eliza",
      postExamples: ["Puzzles are fun."],
      knowledge: ["Facts about puzzles."],
      settings: { model: "x" },
      plugins: ["@elizaos/plugin-sql"],
      clients: ["discord"],
      style: { post: ["use hashtags"] },
    });
  });

  it("exports back to the same character (secrets aside)", async () => {
    const original = elizaCharacter();
    const file = await writeInput(folder.root, "eliza.json", JSON.stringify(original));
    expect(await importVerb([file], io())).toBe(0);
    const out = join(folder.root, "back.json");
    const recorded = io();
    expect(await exportVerb(["eliza-bot", "--format", "eliza", "--out", out], recorded)).toBe(0);
    expect(recorded.out).toBe(`${out}\n`);
    const {
      secrets: _secrets,
      settings,
      ...rest
    } = original as Record<string, unknown> & { settings: Record<string, unknown> };
    const { secrets: _inner, ...otherSettings } = settings;
    expect(JSON.parse(await readFile(out, "utf8"))).toEqual({ ...rest, settings: otherSettings });
  });
});

describe("exporting a Modelfile", () => {
  it("has FROM the configured model, the prompt, the parameters, the examples and a GGUF adapter", async () => {
    await mkdir(folder.personas, { recursive: true });
    await writeFile(
      join(folder.personas, "coach.md"),
      [
        "---",
        "display_name: Coach",
        "temperature: 0.4",
        "top_p: 0.9",
        "max_tokens: 200",
        "stop: ['User:', '###']",
        "adapter: adapters/coach.gguf",
        "examples:",
        "  - user: Hi, I'm {{user}}",
        '    assistant: Hi! """Run""" with {{char}}.',
        "---",
        "You are {{char}}, coaching {{user}}.",
      ].join("\n"),
    );
    const out = join(folder.root, "Modelfile");
    const recorded = io({ MODEL: "qwen2.5:7b" });
    expect(await exportVerb(["coach", "--format", "modelfile", "--out", out], recorded)).toBe(0);
    expect(await readFile(out, "utf8")).toBe(
      [
        `# Coach (coach), exported from troupe's ${join(folder.personas, "coach.md")}`,
        "FROM qwen2.5:7b",
        `ADAPTER ${join(folder.personas, "adapters", "coach.gguf")}`,
        'SYSTEM """You are Coach, coaching the user."""',
        "PARAMETER temperature 0.4",
        "PARAMETER top_p 0.9",
        "PARAMETER num_predict 200",
        'PARAMETER stop "User:"',
        'PARAMETER stop "###"',
        `MESSAGE user """Hi, I'm the user"""`,
        'MESSAGE assistant """Hi! ""\u200b"Run""\u200b" with Coach."""',
        "",
      ].join("\n"),
    );
  });

  it("refuses an unknown persona and an unknown format", async () => {
    await mkdir(folder.personas, { recursive: true });
    const missing = io();
    expect(await exportVerb(["nobody", "--format", "eliza"], missing)).toBe(1);
    expect(missing.err).toBe(`persona export: ${folder.personas}: has no persona called "nobody"\n`);
    const badFormat = io();
    expect(await exportVerb(["nobody", "--format", "card-v9"], badFormat)).toBe(2);
    expect(badFormat.err).toContain("--format must be one of card-v3, eliza, modelfile");
  });
});
