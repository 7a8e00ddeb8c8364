/**
 * MODEL_PROVIDER=auto picks, in turn, Ollama, an OpenAI-compatible server, an embedded model on
 * disk, a download the user agrees to, or nothing (with the three ways to get a model). Loopback only:
 * fakes for the servers, a local file server for the download.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ChooseProviderInput, chooseModelProvider } from "../../../src/model/startup/choose-provider.js";
import {
  DEFAULT_EMBEDDED_MODEL,
  DEFAULT_EMBEDDED_MODEL_FILE,
} from "../../../src/model/startup/model-source.js";
import { startFakeOllama } from "../../fakes/fake-ollama.js";
import { startFakeOpenAI } from "../../fakes/fake-openai.js";
import { type ModelServer, startModelServer } from "../../fixtures/model-server.js";
import { createTempModels, type TempModels } from "../../fixtures/temp-models.js";
import { buildTinyLlama } from "../../fixtures/tiny-llama.js";
import { createRecordingLogger, type RecordingLogger } from "../../helpers/recording-logger.js";
import { closedPort } from "../collect.js";

let models: TempModels;
let logger: RecordingLogger;
let cleanups: Array<() => Promise<void>> = [];
let written: string;
let questions: string[];

beforeEach(() => {
  models = createTempModels("troupe-choose-");
  logger = createRecordingLogger();
  written = "";
  questions = [];
});
afterEach(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  cleanups = [];
  models.cleanup();
});

async function downHost(): Promise<string> {
  return `http://127.0.0.1:${await closedPort(startFakeOllama)}`;
}

async function modelServer(): Promise<ModelServer> {
  const server = await startModelServer({ "tiny.gguf": { body: buildTinyLlama() } });
  cleanups.push(() => server.close());
  return server;
}

function input(overrides: Partial<ChooseProviderInput>, answer = false): ChooseProviderInput {
  return {
    requested: "auto",
    ollamaHost: "http://127.0.0.1:11434",
    embeddedModel: DEFAULT_EMBEDDED_MODEL,
    modelsDir: join(models.dir, "models"),
    interactive: false,
    ask: async (question) => {
      questions.push(question);
      return answer;
    },
    progressOutput: {
      write: (text: string) => {
        written += text;
        return true;
      },
    },
    logger,
    ...overrides,
  };
}

describe("chooseModelProvider with MODEL_PROVIDER=auto", () => {
  it("takes Ollama when it answers at OLLAMA_HOST, and logs why", async () => {
    const ollama = await startFakeOllama();
    cleanups.push(() => ollama.close());
    const choice = await chooseModelProvider(
      input({ ollamaHost: ollama.host, openaiBaseUrl: "http://127.0.0.1:9/v1" }),
    );
    expect(choice).toEqual({ provider: "ollama", reason: `Ollama 0.12.0 answers at ${ollama.host}` });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        message: "model provider chosen",
        fields: expect.objectContaining({ provider: "ollama" }),
      }),
    );
  });

  it("takes the OpenAI-compatible server when Ollama does not answer and OPENAI_BASE_URL is set", async () => {
    const openai = await startFakeOpenAI();
    cleanups.push(() => openai.close());
    const host = await downHost();
    const choice = await chooseModelProvider(input({ ollamaHost: host, openaiBaseUrl: openai.baseURL }));
    expect(choice.provider).toBe("openai");
    expect(choice).toMatchObject({ reason: expect.stringContaining(`Ollama is not answering at ${host}`) });
  });

  it("takes the embedded model when its file is already in MODELS_DIR", async () => {
    const path = models.write(join("models", DEFAULT_EMBEDDED_MODEL_FILE));
    const choice = await chooseModelProvider(input({ ollamaHost: await downHost() }));
    expect(choice).toMatchObject({ provider: "embedded", embeddedModelPath: path });
    expect(questions).toEqual([]);
  });

  it("without a terminal, gives up with the three ways to get a model", async () => {
    const choice = await chooseModelProvider(input({ ollamaHost: await downHost() }));
    expect(choice.provider).toBe("none");
    const message = choice.provider === "none" ? choice.message : "";
    expect(message).toContain("Ollama is not answering");
    expect(message).toContain("OPENAI_BASE_URL is not set");
    expect(message).toContain(DEFAULT_EMBEDDED_MODEL_FILE);
    expect(message).toMatch(/1\. Ollama: .*ollama pull/);
    expect(message).toMatch(/2\. An OpenAI-compatible server.*OPENAI_BASE_URL and MODEL/);
    expect(message).toMatch(
      /3\. The embedded engine.*about 398\.0 MB.*MODEL_PROVIDER=embedded.*EMBEDDED_MODEL/,
    );
    expect(questions).toEqual([]);
  });

  it("names the missing file when EMBEDDED_MODEL is a local path, and asks nothing", async () => {
    const path = join(models.dir, "mine.gguf");
    const choice = await chooseModelProvider(
      input({ ollamaHost: await downHost(), embeddedModel: path, interactive: true }, true),
    );
    expect(choice.provider).toBe("none");
    const message = choice.provider === "none" ? choice.message : "";
    expect(message).toContain(`no embedded model at ${path} (the file does not exist)`);
    expect(message).toContain(
      `3. The embedded engine (no server, runs in troupe): put a GGUF model file at ${path}`,
    );
    expect(questions).toEqual([]);
  });

  it("in a terminal, asks once (with the size), then downloads with a progress bar", async () => {
    const server = await modelServer();
    const embeddedModel = server.url("tiny.gguf");
    const choice = await chooseModelProvider(
      input({ ollamaHost: await downHost(), embeddedModel, interactive: true }, true),
    );
    const path = join(models.dir, "models", "tiny.gguf");
    expect(choice).toMatchObject({ provider: "embedded", embeddedModelPath: path });
    expect(readFileSync(path).equals(buildTinyLlama())).toBe(true);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain("about 525.2 kB");
    expect(questions[0]).toContain(path);
    expect(questions[0]).not.toContain("already downloaded");
    expect(written).toContain("100%");
    expect(written).toContain("525.2 kB / 525.2 kB");
  });

  it("says when a download resumes an interrupted one", async () => {
    const server = await modelServer();
    const partial = buildTinyLlama().subarray(0, 1_000);
    mkdirSync(join(models.dir, "models"));
    writeFileSync(join(models.dir, "models", "tiny.gguf.part"), partial);
    const choice = await chooseModelProvider(
      input(
        { ollamaHost: await downHost(), embeddedModel: server.url("tiny.gguf"), interactive: true },
        true,
      ),
    );
    expect(questions[0]).toContain("1.0 kB already downloaded, it resumes from there");
    expect(choice.provider).toBe("embedded");
    const byteRequest = server.requests.find(
      (request) => request.method === "GET" && request.path.startsWith("/cdn/"),
    );
    expect(byteRequest?.range).toBe("bytes=1000-");
  });

  it("in a terminal, downloads nothing when the answer is no", async () => {
    const server = await modelServer();
    const choice = await chooseModelProvider(
      input(
        { ollamaHost: await downHost(), embeddedModel: server.url("tiny.gguf"), interactive: true },
        false,
      ),
    );
    expect(choice.provider).toBe("none");
    expect(questions).toHaveLength(1);
    expect(server.requests.filter((request) => request.method === "GET")).toEqual([]);
    expect(existsSync(join(models.dir, "models", "tiny.gguf"))).toBe(false);
  });

  it("explains a failed download (404) with the URL and the fix", async () => {
    const server = await modelServer();
    const url = server.url("nope.gguf");
    const choice = await chooseModelProvider(
      input({ ollamaHost: await downHost(), embeddedModel: url, interactive: true }, true),
    );
    expect(choice.provider).toBe("none");
    expect(choice.provider === "none" && choice.message).toContain(
      `there is no file at ${url} (HTTP 404). Fix: check EMBEDDED_MODEL=${url}`,
    );
  });
});

describe("chooseModelProvider with an explicit MODEL_PROVIDER", () => {
  it("takes ollama and openai as asked, without probing", async () => {
    const ollama = await startFakeOllama();
    cleanups.push(() => ollama.close());
    expect(await chooseModelProvider(input({ requested: "ollama", ollamaHost: ollama.host }))).toEqual({
      provider: "ollama",
      reason: "MODEL_PROVIDER=ollama",
    });
    expect(await chooseModelProvider(input({ requested: "openai" }))).toEqual({
      provider: "openai",
      reason: "MODEL_PROVIDER=openai",
    });
    expect(ollama.requests).toEqual([]);
  });

  it("embedded downloads its model without asking, even without a terminal", async () => {
    const server = await modelServer();
    const choice = await chooseModelProvider(
      input({ requested: "embedded", embeddedModel: server.url("tiny.gguf") }),
    );
    expect(choice).toMatchObject({
      provider: "embedded",
      embeddedModelPath: join(models.dir, "models", "tiny.gguf"),
    });
    expect(questions).toEqual([]);
    // Not a terminal: plain progress lines, not a bar redrawn with carriage returns.
    expect(written).not.toContain("\r");
    expect(written).toMatch(/tiny\.gguf {2}100% {2}525\.2 kB \/ 525\.2 kB/);
  });

  it("embedded uses a local file as named, without downloading", async () => {
    const path = models.write("mine.gguf");
    const choice = await chooseModelProvider(input({ requested: "embedded", embeddedModel: path }));
    expect(choice).toEqual({
      provider: "embedded",
      reason: "MODEL_PROVIDER=embedded",
      embeddedModelPath: path,
    });
  });
});
