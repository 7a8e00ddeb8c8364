/**
 * An EMBEDDED_MODEL URL with `user:password@` (a model behind a proxy's basic auth) and a `?token=`:
 * the download works, the credentials go as an `Authorization: Basic` header to the URL's own host
 * and never to the host a redirect sends the bytes from (a second loopback server on another port,
 * standing in for Hugging Face's CDN), resumes carry them to the same host, and neither the password
 * nor the token shows up in a message, a log line, a progress line or a thrown error (message,
 * cause chain, stack, fields). Loopback only.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ChooseProviderInput, chooseModelProvider } from "../../../src/model/startup/choose-provider.js";
import { fetchEmbeddedModel } from "../../../src/model/startup/fetch-embedded-model.js";
import { downloadModel, ModelDownloadError } from "../../../src/model/startup/model-download.js";
import { parseModelSource } from "../../../src/model/startup/model-source.js";
import { startFakeOllama } from "../../fakes/fake-ollama.js";
import type { BasicAuth } from "../../fakes/proxy-basic-auth.js";
import {
  type ModelServer,
  type ModelServerOptions,
  type ServedFile,
  startModelServer,
} from "../../fixtures/model-server.js";
import { createTempModels, type TempModels } from "../../fixtures/temp-models.js";
import { buildTinyLlama } from "../../fixtures/tiny-llama.js";
import { createRecordingLogger, type RecordingLogger } from "../../helpers/recording-logger.js";
import { closedPort } from "../collect.js";
import { findSecrets } from "../find-secrets.js";

const model = buildTinyLlama();
const user = "troupe";
const password = "hunter2-Zq9x";
const wrongPassword = "letmein-Wq4y";
const token = "tok-Secret-7781";
const proxy: BasicAuth = { user, password };
/** The header the proxy expects, written here independently of the code under test. */
const basic = (secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
/** The base64 part of the header says the password too: it must not show up either. */
const secrets = [
  password,
  wrongPassword,
  token,
  basic(password).slice("Basic ".length),
  basic(wrongPassword).slice("Basic ".length),
];

let dir: TempModels;
let logger: RecordingLogger;
let written: string;
let cleanups: Array<() => Promise<void>> = [];

beforeEach(() => {
  dir = createTempModels("troupe-download-credentials-");
  logger = createRecordingLogger();
  written = "";
});
afterEach(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  cleanups = [];
  dir.cleanup();
});

async function serve(
  files: Record<string, ServedFile>,
  options: ModelServerOptions = {},
): Promise<ModelServer> {
  const server = await startModelServer(files, options);
  cleanups.push(() => server.close());
  return server;
}

/** The URL's host, behind basic auth, redirecting the bytes to a CDN on another port (no auth). */
async function behindProxyWithCdn(file: ServedFile = { body: model }): Promise<{
  origin: ModelServer;
  cdn: ModelServer;
}> {
  const cdn = await serve({ "tiny.gguf": file });
  const origin = await serve({ "tiny.gguf": file }, { basicAuth: proxy, cdnOrigin: cdn.origin });
  return { origin, cdn };
}

const destination = () => join(dir.dir, "models", "tiny.gguf");
const output = {
  write: (text: string) => {
    written += text;
    return true;
  },
};

async function failure(promise: Promise<unknown>): Promise<ModelDownloadError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ModelDownloadError);
  return error as ModelDownloadError;
}

function chooseInput(
  embeddedModel: string,
  overrides: Partial<ChooseProviderInput> = {},
): ChooseProviderInput {
  return {
    requested: "embedded",
    ollamaHost: "http://127.0.0.1:11434",
    embeddedModel,
    modelsDir: join(dir.dir, "models"),
    interactive: false,
    ask: async () => false,
    progressOutput: output,
    logger,
    ...overrides,
  };
}

describe("an EMBEDDED_MODEL URL with user:password@", () => {
  it("downloads, sending the credentials to the URL's host only, never to the CDN it redirects to", async () => {
    const { origin, cdn } = await behindProxyWithCdn();
    const questions: string[] = [];
    const ollamaHost = `http://127.0.0.1:${await closedPort(startFakeOllama)}`;
    const choice = await chooseModelProvider(
      chooseInput(origin.url("tiny.gguf", `${user}:${password}`), {
        requested: "auto",
        ollamaHost,
        interactive: true,
        ask: async (question) => {
          questions.push(question);
          return true;
        },
      }),
    );
    expect(choice).toMatchObject({ provider: "embedded", embeddedModelPath: destination() });
    expect(readFileSync(destination()).equals(model)).toBe(true);
    // The size in the question came from a HEAD the proxy let through: it got the credentials too.
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain("about 525.2 kB");
    expect(origin.requests.map((request) => [request.method, request.status, request.authorization])).toEqual(
      [
        ["HEAD", 302, basic(password)],
        ["GET", 302, basic(password)],
      ],
    );
    expect(cdn.requests.map((request) => [request.method, request.status, request.authorization])).toEqual([
      ["HEAD", 200, undefined],
      ["GET", 200, undefined],
    ]);
    expect(written).toContain("100%");
    expect(findSecrets({ choice, questions, written, lines: logger.lines }, secrets)).toEqual([]);
  });

  it("resumes with a Range request that carries the credentials to the URL's host, not to the CDN", async () => {
    const { origin, cdn } = await behindProxyWithCdn({ body: model, cutAfterBytes: 100_000 });
    const url = origin.url("tiny.gguf", `${user}:${password}`);
    const cut = await failure(downloadModel({ url, destination: destination() }));
    expect(cut.kind).toBe("interrupted");
    expect(findSecrets(cut, secrets)).toEqual([]);
    const kept = statSync(`${destination()}.part`).size;
    expect(kept).toBeGreaterThan(0);

    const result = await downloadModel({ url, destination: destination() });
    expect(result.resumedFromBytes).toBe(kept);
    expect(readFileSync(destination()).equals(model)).toBe(true);
    expect(origin.requests.map((request) => [request.range, request.authorization])).toEqual([
      [undefined, basic(password)],
      [`bytes=${kept}-`, basic(password)],
    ]);
    expect(cdn.requests.map((request) => [request.range, request.status, request.authorization])).toEqual([
      [undefined, 200, undefined],
      [`bytes=${kept}-`, 206, undefined],
    ]);
  });

  it("keeps sending the credentials on a redirect within the same host, resumes included", async () => {
    // One server behind the proxy: its redirect to /cdn/ stays on the URL's host, which demands them.
    const server = await serve(
      { "tiny.gguf": { body: model, cutAfterBytes: 100_000 } },
      { basicAuth: proxy },
    );
    const url = server.url("tiny.gguf", `${user}:${password}`);
    await failure(downloadModel({ url, destination: destination() }));
    const kept = statSync(`${destination()}.part`).size;
    const result = await downloadModel({ url, destination: destination() });
    expect(result.resumedFromBytes).toBe(kept);
    expect(readFileSync(destination()).equals(model)).toBe(true);
    expect(server.requests.map((request) => [request.path, request.range, request.status])).toEqual([
      ["/resolve/tiny.gguf", undefined, 302],
      ["/cdn/tiny.gguf", undefined, 200],
      ["/resolve/tiny.gguf", `bytes=${kept}-`, 302],
      ["/cdn/tiny.gguf", `bytes=${kept}-`, 206],
    ]);
    expect(server.requests.every((request) => request.authorization === basic(password))).toBe(true);
  });

  it("says in one line that a wrong password was refused and which setting to fix, without printing it", async () => {
    const server = await serve({ "tiny.gguf": { body: model } }, { basicAuth: proxy });
    const choice = await chooseModelProvider(
      chooseInput(server.url("tiny.gguf", `${user}:${wrongPassword}`)),
    );
    const shown = `http://${user}:***@127.0.0.1:${new URL(server.origin).port}/resolve/tiny.gguf`;
    expect(choice).toEqual({
      provider: "none",
      message:
        `troupe cannot get the embedded model: the server at ${shown} refused the user name and password ` +
        "in the URL (HTTP 401). Fix: correct the user name and password in EMBEDDED_MODEL (user:password@ before the host)",
    });
    expect(server.requests.map((request) => [request.status, request.authorization])).toEqual([
      [401, basic(wrongPassword)],
    ]);
    const failed = logger.lines.find((line) => line.message === "embedded model download failed");
    expect(failed?.fields).toMatchObject({ url: shown, err: { kind: "credentials" } });
    expect(existsSync(`${destination()}.part`)).toBe(false);
    expect(findSecrets({ choice, lines: logger.lines, written }, secrets)).toEqual([]);
  });

  it("does not blame the password for a 401 from the CDN, which never got it", async () => {
    const cdn = await serve({ "tiny.gguf": { body: model } }, { basicAuth: { user, password: "other" } });
    const origin = await serve({ "tiny.gguf": { body: model } }, { basicAuth: proxy, cdnOrigin: cdn.origin });
    const error = await failure(
      downloadModel({ url: origin.url("tiny.gguf", `${user}:${password}`), destination: destination() }),
    );
    expect(error.kind).toBe("not-found");
    expect(error.message).toContain("needs a login");
    expect(cdn.requests.map((request) => [request.status, request.authorization])).toEqual([
      [401, undefined],
    ]);
  });
});

describe("no failure of a download prints the URL's password or token", () => {
  const userInfo = `${user}:${password}`;
  const withToken = (url: string) => `${url}?token=${token}&revision=main`;

  /**
   * Runs the failing download both ways, each against servers of its own (`start` gives the URL):
   * the thrown error, and what fetchEmbeddedModel says and logs (and draws as progress).
   */
  async function failBothWays(
    start: () => Promise<string>,
    fetchImpl?: typeof fetch,
  ): Promise<ModelDownloadError> {
    const error = await failure(
      downloadModel({ url: await start(), destination: destination(), fetch: fetchImpl }),
    );
    expect(findSecrets(error, secrets)).toEqual([]);
    const source = parseModelSource(await start(), join(dir.dir, "models"));
    if (source.kind !== "remote") throw new Error("expected a remote source");
    const result = await fetchEmbeddedModel({
      source,
      ask: undefined,
      output: { ...output, isTTY: true, columns: 120 },
      logger,
      fetch: fetchImpl,
      isDefault: false,
    });
    expect(result.ok).toBe(false);
    expect(logger.lines.map((line) => line.message)).toContain("embedded model download failed");
    expect(findSecrets({ result, lines: logger.lines, written }, secrets)).toEqual([]);
    return error;
  }

  it("when nothing listens at the URL", async () => {
    const error = await failBothWays(async () => {
      const server = await serve({});
      await server.close();
      return withToken(server.url("tiny.gguf", userInfo));
    });
    expect(error.kind).toBe("interrupted");
    expect(error.message).toContain(`cannot reach http://${user}:***@127.0.0.1:`);
    expect(error.message).toContain("?token=***&revision=main: fetch failed");
  });

  it("when the URL is not http(s), before any request", async () => {
    const error = await failure(
      downloadModel({
        url: withToken(`ftp://${userInfo}@127.0.0.1:9/tiny.gguf`),
        destination: destination(),
      }),
    );
    expect(error.kind).toBe("not-found");
    expect(error.message).toBe(
      `ftp://${user}:***@127.0.0.1:9/tiny.gguf?token=***&revision=main is not an http(s) URL`,
    );
    expect(findSecrets(error, secrets)).toEqual([]);
  });

  it("when the file is missing (404)", async () => {
    const error = await failBothWays(async () => {
      const server = await serve({}, { basicAuth: proxy });
      return withToken(server.url("missing.gguf", userInfo));
    });
    expect(error.kind).toBe("not-found");
  });

  it("when the connection is cut mid-download", async () => {
    const error = await failBothWays(async () => {
      const { origin } = await behindProxyWithCdn({ body: model, cutAfterBytes: 100_000 });
      return withToken(origin.url("tiny.gguf", userInfo));
    });
    expect(error.kind).toBe("interrupted");
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("when the file fails verification", async () => {
    const error = await failBothWays(async () => {
      const { origin } = await behindProxyWithCdn({ body: model, linkedSha256: "0".repeat(64) });
      return withToken(origin.url("tiny.gguf", userInfo));
    });
    expect(error.kind).toBe("verification");
  });

  it("when a redirect points to an address that is not a URL (one with a token in it)", async () => {
    const error = await failBothWays(async () => {
      const server = await serve(
        { "tiny.gguf": { body: model, location: `http://[cdn?X-Amz-Signature=${token}` } },
        { basicAuth: proxy },
      );
      return withToken(server.url("tiny.gguf", userInfo));
    });
    expect(error.kind).toBe("refused");
    expect(error.message).toContain(
      "redirects to an address that is not a URL: http://[cdn?X-Amz-Signature=***",
    );
  });

  it("when another fetch implementation quotes the URL in its error, as node-fetch does", async () => {
    // node-fetch's FetchError: "request to <URL> failed, reason: <cause>", with the URL it was given.
    const quoting: typeof fetch = async (input, init) => {
      try {
        return await fetch(input, init);
      } catch (error) {
        const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
        throw Object.assign(new Error(`request to ${String(input)} failed, reason: ${reason}`), {
          type: "system",
          url: String(input),
        });
      }
    };
    const error = await failBothWays(async () => {
      const server = await serve({});
      await server.close();
      return withToken(server.url("tiny.gguf", userInfo));
    }, quoting);
    expect(error.message).toContain("request to http://127.0.0.1:");
    expect(error.message).toContain("?token=***&revision=main failed, reason: connect ECONNREFUSED");
  });
});
