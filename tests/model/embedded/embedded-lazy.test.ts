/**
 * node-llama-cpp costs about 0.35 s and 36 MB to import: users of Ollama or an OpenAI-compatible
 * server must never load it, and the embedded provider only on first use. Checked in a child process
 * that records every module it resolves (tests/fixtures/import-trace.mjs).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startFakeOllama } from "../../fakes/fake-ollama.js";
import { createTempModels, type TempModels } from "../../fixtures/temp-models.js";
import { repoRoot } from "../../helpers/run-troupe.js";

const run = promisify(execFile);
const report = z.object({
  description: z.string(),
  traced: z.boolean(),
  afterCreate: z.boolean(),
  afterCheck: z.boolean(),
  health: z.looseObject({ ok: z.boolean() }),
});

let models: TempModels;
beforeAll(() => {
  models = createTempModels();
});
afterAll(() => models.cleanup());

async function child(...args: string[]): Promise<z.infer<typeof report>> {
  const { stdout } = await run(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      "./tests/fixtures/import-trace.mjs",
      "tests/fixtures/lazy-import-child.ts",
      ...args,
    ],
    { cwd: repoRoot },
  );
  return report.parse(JSON.parse(stdout));
}

describe("createChatModel loads node-llama-cpp lazily", () => {
  it("never loads it for Ollama", async () => {
    const ollama = await startFakeOllama();
    try {
      const result = await child("ollama", ollama.host);
      expect(result).toMatchObject({ description: "ollama:llama3.2", traced: true, health: { ok: true } });
      expect(result.afterCreate).toBe(false);
      expect(result.afterCheck).toBe(false);
    } finally {
      await ollama.close();
    }
  });

  it("loads it for the embedded provider on first use, not when the provider is built", async () => {
    const path = models.write("tiny.gguf");
    const result = await child("embedded", "http://127.0.0.1:11434", path);
    expect(result).toMatchObject({ description: "embedded:tiny.gguf", traced: true, health: { ok: true } });
    expect(result.afterCreate).toBe(false);
    expect(result.afterCheck).toBe(true);
  });
});
