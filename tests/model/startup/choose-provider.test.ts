/**
 * MODEL_PROVIDER=auto picks, in turn, Ollama, an OpenAI-compatible server, an embedded model on
 * disk, a download the user agrees to, or nothing (with the three ways to get a model). Loopback only:
 * fakes for the servers, a local file server for the download.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ChooseProviderInput, chooseModelProvider } from "../../../src/model/startup/choose-provider.js";
import {
  DEFAULT_EMBEDDED_MODEL,
  DEFAULT_EMBEDDED_MODEL_FILE,
} from "../../../src/model/startup/model-source.js";
import { formatBytes } from "../../../src/model/startup/progress-bar.js";
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
    // troupe's own download: a fix may say to delete it and download it again.
    expect(choice).toMatchObject({
      provider: "embedded",
      embeddedModelPath: path,
      embeddedModelDownloaded: true,
    });
    expect(questions).toEqual([]);
  });

  it("without a terminal, gives up with what it looked for and the three ways to get a model", async () => {
    const host = await downHost();
    const modelsDir = join(models.dir, "models");
    const choice = await chooseModelProvider(input({ ollamaHost: host }));
    expect(choice.provider).toBe("none");
    const message = choice.provider === "none" ? choice.message : "";
    expect(message).toContain(["Looked for a model:", `  Ollama at ${host} — not answering (`].join("\n"));
    expect(message).toContain(
      ["  OPENAI_BASE_URL — not set", `  ${modelsDir} — no ${DEFAULT_EMBEDDED_MODEL_FILE}`].join("\n"),
    );
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
    expect(message).toContain(`EMBEDDED_MODEL=${path} — the file does not exist`);
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
      // The user's own file: no fix may ever suggest deleting it.
      embeddedModelDownloaded: false,
    });
  });
});

describe("the first run in a terminal", () => {
  async function unreachableModelUrl(): Promise<string> {
    return `http://127.0.0.1:${await closedPort(startFakeOllama)}/resolve/tiny.gguf`;
  }

  it("says what it looked for before it offers the download", async () => {
    const server = await modelServer();
    const host = await downHost();
    const modelsDir = join(models.dir, "models");
    let shownBeforeAsking = "";
    const choice = await chooseModelProvider({
      ...input({ ollamaHost: host, embeddedModel: server.url("tiny.gguf"), interactive: true }),
      ask: async (question) => {
        shownBeforeAsking = written;
        questions.push(question);
        return false;
      },
    });
    expect(shownBeforeAsking).toMatch(
      new RegExp(
        [
          "^Looked for a model:",
          `  Ollama at ${host} — not answering \\(.+\\)`,
          "  OPENAI_BASE_URL — not set",
          `  ${modelsDir} — no tiny\\.gguf\n$`,
        ].join("\n"),
      ),
    );
    expect(questions).toEqual([
      `Download the embedded model tiny.gguf (about 525.2 kB) into ${join(modelsDir, "tiny.gguf")}?`,
    ]);
    // Said no: the ways to get a model, without repeating what was just shown.
    const message = choice.provider === "none" ? choice.message : "";
    expect(message).not.toContain("Looked for a model");
    expect(message).toContain('start troupe again and answer "y" to download');
  });

  it("after a download that could not start, says nothing was downloaded and what to do, once", async () => {
    const url = await unreachableModelUrl();
    const choice = await chooseModelProvider(
      input({ ollamaHost: await downHost(), embeddedModel: url, interactive: true }, true),
    );
    expect(choice.provider).toBe("none");
    const message = choice.provider === "none" ? choice.message : "";
    expect(message).toMatch(
      new RegExp(
        `^could not download the embedded model: cannot reach ${url.replaceAll(".", "\\.")}: .*ECONNREFUSED`,
      ),
    );
    expect(message).toMatch(
      /\. Nothing was downloaded: check the connection and start troupe again, or use Ollama instead \(install it from https:\/\/ollama\.com, run `ollama pull llama3\.2`\)$/,
    );
    // They answered "y" a moment ago: not asked to answer it again, and no download to resume.
    expect(message).not.toContain('answer "y"');
    expect(message).not.toMatch(/resume/i);
    expect(existsSync(join(models.dir, "models", "tiny.gguf.part"))).toBe(false);
  });

  it("after a download cut halfway, says how much is kept and to start again to resume", async () => {
    const server = await startModelServer({
      "tiny.gguf": { body: buildTinyLlama(), cutAfterBytes: 100_000 },
    });
    cleanups.push(() => server.close());
    const choice = await chooseModelProvider(
      input(
        { ollamaHost: await downHost(), embeddedModel: server.url("tiny.gguf"), interactive: true },
        true,
      ),
    );
    const kept = statSync(join(models.dir, "models", "tiny.gguf.part")).size;
    expect(kept).toBeGreaterThan(0);
    const message = choice.provider === "none" ? choice.message : "";
    expect(message).toContain("stopped at");
    expect(message).toMatch(
      new RegExp(
        `\\. Start troupe again to resume the download \\(${formatBytes(kept).replace(".", "\\.")} of 525\\.2 kB kept\\)$`,
      ),
    );
    expect(message).not.toContain("Nothing was downloaded");
    expect(message).not.toContain('answer "y"');
  });

  it("with MODEL_PROVIDER=embedded and no connection, says nothing was downloaded and names the setting", async () => {
    const url = await unreachableModelUrl();
    const choice = await chooseModelProvider(input({ requested: "embedded", embeddedModel: url }));
    const message = choice.provider === "none" ? choice.message : "";
    expect(message).toMatch(/^troupe cannot get the embedded model: cannot reach /);
    expect(message).toContain(
      "Nothing was downloaded: check the connection and start troupe again, or use Ollama instead (MODEL_PROVIDER=ollama",
    );
  });

  it("names the user's own file that is not a GGUF model, and never offers to replace or delete it", async () => {
    const path = join(models.dir, "notes.bin");
    writeFileSync(path, "these are my notes, not a model\n");
    const choice = await chooseModelProvider(
      input({ ollamaHost: await downHost(), embeddedModel: path, interactive: true }, true),
    );
    expect(choice.provider).toBe("none");
    const message = choice.provider === "none" ? choice.message : "";
    expect(message).toContain(
      `EMBEDDED_MODEL=${path} — it is not a GGUF model (it starts with "these are my not")`,
    );
    expect(message).toContain(`set EMBEDDED_MODEL to a GGUF model file (${path} is not one)`);
    expect(message).not.toMatch(/delete|put a GGUF model file at/);
    expect(questions).toEqual([]);
    expect(readFileSync(path, "utf8")).toBe("these are my notes, not a model\n");
  });
});
