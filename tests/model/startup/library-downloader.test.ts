/**
 * Pins what node-llama-cpp's own downloader (`createModelDownloader`, built on ipull) does, the
 * evidence for keeping troupe's downloader (see the header of src/model/startup/model-download.ts).
 * If a test here fails after a node-llama-cpp upgrade, the library changed: look again at using it.
 * Loopback only: plain 127.0.0.1 URLs, so the library looks up no Hugging Face token either.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createModelDownloader } from "node-llama-cpp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ModelServer, type ServedFile, startModelServer } from "../../fixtures/model-server.js";
import { createTempModels, type TempModels } from "../../fixtures/temp-models.js";
import { buildTinyLlama } from "../../fixtures/tiny-llama.js";

const model = buildTinyLlama();
let dir: TempModels;
let server: ModelServer | undefined;

beforeEach(() => {
  dir = createTempModels("troupe-library-download-");
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  dir.cleanup();
});

async function serve(files: Record<string, ServedFile>): Promise<ModelServer> {
  server = await startModelServer(files);
  return server;
}

describe("node-llama-cpp's createModelDownloader (why troupe keeps its own)", () => {
  it("accepts what Hugging Face's redirect contradicts, and a page that is not a model", async () => {
    const page = Buffer.from("<!DOCTYPE html><html><body>Please log in</body></html>");
    const served = await serve({
      // The redirect says the file is longer than what arrives.
      "short.gguf": { body: model.subarray(0, 300_000), linkedSize: model.length },
      // The redirect states a SHA-256 the bytes do not have.
      "bad-sha.gguf": { body: model, linkedSha256: "0".repeat(64) },
      "page.gguf": { body: page },
    });
    for (const [name, body] of [
      ["short.gguf", model.subarray(0, 300_000)],
      ["bad-sha.gguf", model],
      ["page.gguf", page],
    ] as const) {
      const downloader = await createModelDownloader({ modelUri: served.url(name), dirPath: dir.dir });
      const path = await downloader.download();
      expect(path).toBe(join(dir.dir, name));
      expect(readFileSync(path).equals(body)).toBe(true);
    }
  });

  it("resolves as if finished when its AbortSignal fires, with no complete file at the path it returns", async () => {
    const body = randomBytes(12 * 1024 * 1024);
    const served = await serve({ "big.gguf": { body } });
    const controller = new AbortController();
    const downloader = await createModelDownloader({
      modelUri: served.url("big.gguf"),
      dirPath: dir.dir,
      deleteTempFileOnCancel: false,
      onProgress: ({ downloadedSize }) => {
        if (downloadedSize > 0) controller.abort(new Error("stopped by the test"));
      },
    });
    const path = await downloader.download({ signal: controller.signal });
    expect(controller.signal.aborted).toBe(true);
    expect(path).toBe(join(dir.dir, "big.gguf"));
    expect(existsSync(path) && readFileSync(path).equals(body)).toBe(false);
  });
});
