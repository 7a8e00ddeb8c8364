import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkGgufFile, parseHeader } from "../../../src/model/embedded/gguf-header.js";
import { createTempModels, type TempModels } from "../../fixtures/temp-models.js";
import { buildTinyLlama } from "../../fixtures/tiny-llama.js";

let models: TempModels;
beforeAll(() => {
  models = createTempModels();
});
afterAll(() => models.cleanup());

const model = buildTinyLlama();

describe("checkGgufFile", () => {
  it("reads a GGUF header: version, counts and size", async () => {
    const path = models.write("tiny.gguf");
    expect(await checkGgufFile(path)).toEqual({
      ok: true,
      fileBytes: model.length,
      version: 3,
      tensorCount: 21,
      metadataCount: 22,
    });
  });

  it("tells a missing file and a folder apart", async () => {
    expect(await checkGgufFile(join(models.dir, "nope.gguf"))).toMatchObject({
      ok: false,
      reason: "missing",
    });
    expect(await checkGgufFile(models.dir)).toMatchObject({ ok: false, reason: "not-a-file" });
  });

  it("refuses an empty file, an HTML page, a JSON error and a version it cannot read", async () => {
    const write = (name: string, body: Buffer | string) => {
      const path = join(models.dir, name);
      writeFileSync(path, body);
      return checkGgufFile(path);
    };
    expect(await write("empty.gguf", "")).toMatchObject({
      reason: "not-gguf",
      problem: "the file is empty: not a GGUF model",
    });
    expect(await write("page.gguf", `<html><body>${"x".repeat(40)}</body></html>`)).toMatchObject({
      reason: "not-gguf",
      problem: 'it is not a GGUF model (it starts with "<html><body>xxxx")',
    });
    expect(await write("error.gguf", '{"error":"Repository not found"}')).toMatchObject({
      reason: "not-gguf",
    });
    const future = Buffer.from(model);
    future.writeUInt32LE(99, 4);
    expect(await write("future.gguf", future)).toMatchObject({
      reason: "unsupported",
      problem: "it is GGUF version 99, and only versions 2 and 3 can be read",
    });
  });

  it("refuses absurd counts (a corrupt header) before anything allocates for them", () => {
    const corrupt = Buffer.from(model.subarray(0, 24));
    corrupt.writeBigUInt64LE(10n ** 12n, 8);
    expect(parseHeader(corrupt, model.length)).toMatchObject({
      ok: false,
      problem: "its GGUF header is corrupt (bad tensorCount)",
    });
  });
});
