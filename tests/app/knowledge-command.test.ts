/** `npm run knowledge -- status|search`, run in-process over a persona folder and documents on disk. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type KnowledgeCommandConfig, runKnowledgeCommand } from "../../src/app/knowledge-command.js";
import { type FakeOllama, startFakeOllama } from "../fakes/fake-ollama.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";

let root: string;
let ollama: FakeOllama;

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

function config(embedModel?: string): KnowledgeCommandConfig {
  return {
    MODEL_PROVIDER: "ollama",
    PERSONAS_DIR: join(root, "personas"),
    PERSONA_MAX_KB: 256,
    EMBED_MODEL: embedModel,
    KNOWLEDGE_DB: join(root, "data", "knowledge.sqlite"),
    OLLAMA_HOST: ollama.host,
    OPENAI_BASE_URL: undefined,
    OPENAI_API_KEY: undefined,
    EMBEDDED_THREADS: undefined,
  };
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "troupe-knowledge-cli-"));
  ollama = await startFakeOllama();
  await write("personas/support.md", "---\nknowledge: [../README.md, ../docs]\n---\nYou help.\n");
  await write("personas/tutor.md", "You teach.\n");
  await write("README.md", "# troupe\n\n## Backups\n\nCopy data/troupe.sqlite while troupe is stopped.\n");
  await write("docs/colours.md", "# Colours\n\nSet NO_COLOR to turn colours off.\n");
});
afterEach(async () => {
  await ollama.close();
  await rm(root, { recursive: true, force: true });
});

describe("npm run knowledge", () => {
  it("search shows what a question retrieves: score, source, heading, which search found it and what was cut", async () => {
    const logger = createRecordingLogger();
    const text = await runKnowledgeCommand(
      ["search", "support", "how", "do", "I", "copy", "backups?"],
      config("nomic-embed-text"),
      logger,
    );
    const lines = text.split("\n");
    expect(lines[0]).toMatch(
      /^Knowledge index .*knowledge\.sqlite: keyword \+ vector \(EMBED_MODEL=nomic-embed-text\)$/,
    );
    expect(lines[1]).toMatch(
      /^support: "how do I copy backups\?" \(1 cut: too few of the question's terms matched and vector similarity under 0\.6\)$/,
    );
    expect(lines[2]).toMatch(
      /^1\. used 0\.0\d{3} {2}README\.md › troupe › Backups {2}\(keyword #1 bm25 -\d+\.\d\d matched 2 of 2 terms, vector #1 similarity 0\.\d{3}\)$/,
    );
    expect(lines[3]).toContain("Copy data/troupe.sqlite while troupe is stopped.");
    expect(text).toMatch(
      /\d\. cut {2}0\.0\d{3} {2}docs\/colours\.md › Colours {2}\(vector #2 similarity 0\.\d{3}\)/,
    );
  });

  it("search says a keyword match was cut for holding too few of the question's terms", async () => {
    const text = await runKnowledgeCommand(
      ["search", "support", "how", "do", "I", "make", "backups?"],
      config(),
      createRecordingLogger(),
    );
    const lines = text.split("\n");
    expect(lines[1]).toBe(
      `support: "how do I make backups?" (1 cut: too few of the question's terms matched and vector similarity under 0.6)`,
    );
    expect(lines[2]).toMatch(
      /^1\. cut {2}0\.0\d{3} {2}README\.md › troupe › Backups {2}\(keyword #1 bm25 -\d+\.\d\d matched 1 of 2 terms\)$/,
    );
  });

  it("status lists each persona's documents, passages and index age, without indexing anything", async () => {
    const logger = createRecordingLogger();
    const before = await runKnowledgeCommand(["status"], config(), logger);
    expect(before.split("\n").slice(1)).toEqual([
      "support: 0 documents (2 on disk), 0 passages, never indexed",
    ]);

    await runKnowledgeCommand(["search", "support", "colours"], config(), logger);
    const later = Date.now() + 5 * 60_000;
    const after = await runKnowledgeCommand(["status"], config(), logger, () => later);
    expect(after).toMatch(
      /^Knowledge index .*: keyword only\nsupport: 2 documents, 2 passages, indexed 5 min ago$/,
    );
  });

  it("a wrong verb or a missing question prints the usage", async () => {
    const logger = createRecordingLogger();
    await expect(runKnowledgeCommand(["stats"], config(), logger)).rejects.toThrow(
      /npm run knowledge -- status/,
    );
    await expect(runKnowledgeCommand(["search", "support"], config(), logger)).rejects.toThrow(
      /search PERSONA/,
    );
    await expect(runKnowledgeCommand(["search", "nobody", "hi"], config(), logger)).rejects.toThrow(
      /no persona called nobody: there are support, tutor/,
    );
  });
});
