/**
 * Broken model files are refused with a message that names the file and the fix, and none takes the
 * process down. Run in a child process: were llama.cpp to abort (it does on a GGUF without a
 * vocabulary, unless the file is checked first), only the child would die, and this test would say so.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTempModels, type TempModels } from "../../fixtures/temp-models.js";
import { buildTinyLlama } from "../../fixtures/tiny-llama.js";
import { runCommand } from "../../helpers/run-troupe.js";

const report = z.object({
  modelPath: z.string(),
  health: z.looseObject({
    ok: z.boolean(),
    code: z.string().optional(),
    message: z.string().optional(),
    hint: z.string().optional(),
  }),
  text: z.string(),
  error: z.object({ name: z.string(), code: z.unknown(), message: z.string() }).optional(),
});
type Report = z.infer<typeof report>;

let models: TempModels;
beforeAll(() => {
  models = createTempModels();
});
afterAll(() => models.cleanup());

async function runChild(
  paths: string[],
): Promise<{ code: number | null; signal: string | null; reports: Report[]; stderr: string }> {
  const run = await runCommand(process.execPath, [
    "--import",
    "tsx",
    "tests/fixtures/check-models-child.ts",
    ...paths,
  ]);
  const reports = run.stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => report.parse(JSON.parse(line)));
  return { code: run.code, signal: run.signal, reports, stderr: run.stderr };
}

describe("embedded model: broken files", () => {
  it("refuses each with a clear message and the fix, and the same process still runs a good model", async () => {
    const full = buildTinyLlama();
    const html = join(models.dir, "error-page.gguf");
    writeFileSync(html, "<!DOCTYPE html><html><body>Not Found</body></html>");
    const truncated = join(models.dir, "truncated.gguf");
    writeFileSync(truncated, full.subarray(0, Math.floor(full.length * 0.8)));
    const corrupt = join(models.dir, "corrupt.gguf");
    writeFileSync(
      corrupt,
      Buffer.concat([full.subarray(0, 200), Buffer.alloc(3_800, 0xff), full.subarray(4_000)]),
    );
    const noVocabulary = models.write("no-vocabulary.gguf", {
      mutate: ({ metadata }) => metadata.set("tokenizer.ggml.model", { type: "string", value: "no_vocab" }),
    });
    const unknownArchitecture = models.write("future.gguf", {
      mutate: ({ metadata }) => metadata.set("general.architecture", { type: "string", value: "llamaX" }),
    });
    const missing = join(models.dir, "missing.gguf");
    const good = models.write("pong.gguf", { steering: { script: "pong!" } });
    // The same damage in files troupe downloaded into MODELS_DIR: those may be deleted and fetched again.
    mkdirSync(join(models.dir, "downloaded"));
    const downloadedHtml = join(models.dir, "downloaded", "error-page.gguf");
    copyFileSync(html, downloadedHtml);
    const downloadedTruncated = join(models.dir, "downloaded", "truncated.gguf");
    copyFileSync(truncated, downloadedTruncated);

    const run = await runChild([
      html,
      truncated,
      corrupt,
      noVocabulary,
      unknownArchitecture,
      missing,
      good,
      `downloaded:${downloadedHtml}`,
      `downloaded:${downloadedTruncated}`,
    ]);
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
    const byFile = new Map(run.reports.map((entry) => [entry.modelPath, entry]));
    const expectRefused = (path: string, code: string, says: RegExp, fix: RegExp) => {
      const entry = byFile.get(path);
      expect(entry?.health).toMatchObject({ ok: false, code });
      expect(entry?.health.message).toContain(path);
      expect(entry?.health.message).toMatch(says);
      expect(entry?.health.hint).toMatch(fix);
      expect(entry?.error).toMatchObject({ name: "ModelError", code });
      expect(entry?.error?.message).toContain(path);
    };
    // The user's own files: named, what is wrong said, and never a fix that deletes them.
    const notDeleted = /^(?!.*delete).*EMBEDDED_MODEL/;
    expectRefused(html, "model-missing", /not a GGUF model \(it starts with "<!DOCTYPE html>/, notDeleted);
    expect(byFile.get(html)?.health.hint).toBe(
      "set EMBEDDED_MODEL to a GGUF model file (the format llama.cpp reads), an hf: URI or a URL",
    );
    expectRefused(truncated, "model-missing", /not within the file bounds/, notDeleted);
    expectRefused(corrupt, "model-missing", /metadata is corrupt/, notDeleted);
    expectRefused(
      noVocabulary,
      "model-missing",
      /no tokenizer vocabulary/,
      /use a chat model: .*EMBEDDED_MODEL/,
    );
    expectRefused(
      unknownArchitecture,
      "model-missing",
      /unknown model architecture: 'llamaX'/,
      /does not know the model's architecture/,
    );
    expectRefused(missing, "model-missing", /does not exist/, /check the path in EMBEDDED_MODEL/);
    // Files troupe downloaded: deleting them and starting again fetches them afresh.
    expectRefused(downloadedHtml, "model-missing", /not a GGUF model/, /^delete it and start troupe again/);
    expectRefused(
      downloadedTruncated,
      "model-missing",
      /not within the file bounds/,
      /incomplete or corrupt: delete it and start troupe again to download it afresh/,
    );
    expect(byFile.get(good)).toMatchObject({ health: { ok: true, model: "pong.gguf" }, text: "pong!" });
  });
});
