/** Model downloads against a loopback server serving the tiny fixture model (no real network). */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DownloadProgress } from "../../../src/model/startup/download-speed.js";
import { downloadModel, ModelDownloadError } from "../../../src/model/startup/model-download.js";
import { type ModelServer, type ServedFile, startModelServer } from "../../fixtures/model-server.js";
import { createTempModels, type TempModels } from "../../fixtures/temp-models.js";
import { buildTinyLlama } from "../../fixtures/tiny-llama.js";

const model = buildTinyLlama();
let dir: TempModels;
let server: ModelServer | undefined;

beforeEach(() => {
  dir = createTempModels("troupe-download-");
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

const destination = () => join(dir.dir, "models", "tiny.gguf");

async function failure(promise: Promise<unknown>): Promise<ModelDownloadError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ModelDownloadError);
  return error as ModelDownloadError;
}

describe("downloadModel", () => {
  it("downloads through a redirect, reports progress, checks the stated size and SHA-256", async () => {
    const { url } = await serve({ "tiny.gguf": { body: model } });
    const progress: DownloadProgress[] = [];
    const result = await downloadModel({
      url: url("tiny.gguf"),
      destination: destination(),
      onProgress: (update) => progress.push(update),
      progressIntervalMs: 0,
    });
    expect(readFileSync(destination()).equals(model)).toBe(true);
    expect(existsSync(`${destination()}.part`)).toBe(false);
    expect(result).toMatchObject({ path: destination(), bytes: model.length, resumedFromBytes: 0 });
    expect(result.sha256).toBe(createHash("sha256").update(model).digest("hex"));
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toMatchObject({
      receivedBytes: model.length,
      totalBytes: model.length,
      done: true,
    });
    const received = progress.map((update) => update.receivedBytes);
    expect(received).toEqual([...received].sort((a, b) => a - b));
  });

  it("keeps the part after a cut and resumes from it with a Range request", async () => {
    const served = await serve({ "tiny.gguf": { body: model, cutAfterBytes: 100_000 } });
    const cut = await failure(downloadModel({ url: served.url("tiny.gguf"), destination: destination() }));
    expect(cut.kind).toBe("interrupted");
    // What happened, in figures a person reads; what to do next is the caller's to say.
    expect(cut.message).toMatch(/^the download of .*tiny\.gguf stopped at [\d.]+ kB of 525\.2 kB \(/);
    const kept = statSync(`${destination()}.part`).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(model.length);
    expect(existsSync(destination())).toBe(false);

    const progress: DownloadProgress[] = [];
    const result = await downloadModel({
      url: served.url("tiny.gguf"),
      destination: destination(),
      onProgress: (update) => progress.push(update),
    });
    expect(result.resumedFromBytes).toBe(kept);
    expect(progress[0]).toMatchObject({ receivedBytes: kept, resumedFromBytes: kept });
    expect(readFileSync(destination()).equals(model)).toBe(true);
    const byteRequests = served.requests.filter((request) => request.path.startsWith("/cdn/"));
    expect(byteRequests.map((request) => [request.range, request.status])).toEqual([
      [undefined, 200],
      [`bytes=${kept}-`, 206],
    ]);
  });

  it("starts over when the server ignores the Range request", async () => {
    const served = await serve({ "tiny.gguf": { body: model, cutAfterBytes: 100_000, ignoreRange: true } });
    await failure(downloadModel({ url: served.url("tiny.gguf"), destination: destination() }));
    const result = await downloadModel({ url: served.url("tiny.gguf"), destination: destination() });
    expect(result.resumedFromBytes).toBe(0);
    expect(readFileSync(destination()).equals(model)).toBe(true);
  });

  it("says clearly that there is no file at a URL that answers 404", async () => {
    const served = await serve({});
    const url = served.url("missing.gguf");
    const error = await failure(downloadModel({ url, destination: destination() }));
    expect(error.kind).toBe("not-found");
    expect(error.message).toBe(`there is no file at ${url} (HTTP 404)`);
    expect(existsSync(destination())).toBe(false);
    expect(existsSync(`${destination()}.part`)).toBe(false);
  });

  it("fails with one clear line when nothing listens at the URL, without retrying", async () => {
    // A port that was just free. node-llama-cpp's downloader retries this for minutes (ipull: 150
    // tries, up to 5 s apart) and shows nothing meanwhile; troupe says so at once.
    const served = await serve({});
    const url = served.url("tiny.gguf");
    await served.close();
    server = undefined;
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests++;
      return fetch(input, init);
    };
    const error = await failure(downloadModel({ url, destination: destination(), fetch: counting }));
    expect(requests).toBe(1);
    expect(error.kind).toBe("interrupted");
    expect(error.message.startsWith(`cannot reach ${url}: `)).toBe(true);
    expect(existsSync(`${destination()}.part`)).toBe(false);
  });

  it("rejects and deletes a file shorter than the source says, so the next attempt starts afresh", async () => {
    const truncated = model.subarray(0, 300_000);
    const served = await serve({
      "tiny.gguf": { body: truncated, linkedSize: model.length, linkedSha256: null },
    });
    const error = await failure(downloadModel({ url: served.url("tiny.gguf"), destination: destination() }));
    expect(error.kind).toBe("verification");
    expect(error.message).toContain(`is 300000 bytes, but the source says the file is ${model.length} bytes`);
    expect(existsSync(`${destination()}.part`)).toBe(false);
    expect(existsSync(destination())).toBe(false);
  });

  it("rejects a file whose SHA-256 differs from the one the source states", async () => {
    const served = await serve({ "tiny.gguf": { body: model, linkedSha256: "0".repeat(64) } });
    const error = await failure(downloadModel({ url: served.url("tiny.gguf"), destination: destination() }));
    expect(error.kind).toBe("verification");
    expect(error.message).toContain(`but the source says ${"0".repeat(64)}`);
    expect(existsSync(destination())).toBe(false);
  });

  it("rejects a page that is not a model (an HTML error page served with 200)", async () => {
    const page = Buffer.from("<!DOCTYPE html><html><body>Please log in</body></html>");
    const served = await serve({ "tiny.gguf": { body: page } });
    const error = await failure(downloadModel({ url: served.url("tiny.gguf"), destination: destination() }));
    expect(error.kind).toBe("verification");
    expect(error.message).toContain('not a GGUF model (it starts with "<!DOCTYPE html><")');
  });

  it("stops when aborted and keeps the part for later", async () => {
    const served = await serve({ "tiny.gguf": { body: model } });
    const controller = new AbortController();
    const attempt = downloadModel({
      url: served.url("tiny.gguf"),
      destination: destination(),
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (update) => {
        if (update.receivedBytes > 0) controller.abort();
      },
    });
    await expect(attempt).rejects.toThrow();
    expect(existsSync(destination())).toBe(false);
    expect(statSync(`${destination()}.part`).size).toBeGreaterThan(0);
  });
});
