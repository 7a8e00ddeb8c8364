/**
 * The terminal chat end to end: `npm start` as a child process, input piped in, the real ollama
 * client talking to the fake Ollama on loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../../fakes/fake-ollama.js";
import { startFakeOpenAI } from "../../fakes/fake-openai.js";
import { writeTinyLlama } from "../../fixtures/tiny-llama.js";
import { runTroupe } from "../../helpers/run-troupe.js";

let ollama: FakeOllama;
let dir: string;

beforeAll(async () => {
  ollama = await startFakeOllama();
});
afterAll(async () => {
  await ollama.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "troupe-e2e-"));
  return () => rmSync(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { OLLAMA_HOST: ollama.host, STORE_URL: `sqlite://${join(dir, "troupe.sqlite")}`, ...extra };
}

describe("terminal chat, piped", () => {
  it("answers each line and prints nothing else on standard output", async () => {
    const before = ollama.chatBodies().length;
    const run = await runTroupe(env(), "hello there\n\nwhat is a prime?\n");
    expect(run.stdout).toBe("echo: hello there\necho: what is a prime?\n");
    expect(run.code).toBe(0);
    const bodies = ollama.chatBodies().slice(before);
    expect(bodies).toHaveLength(2);
    // The default persona's system prompt, the configured context window, and memory of line one.
    expect(bodies[0]?.messages[0]?.role).toBe("system");
    expect(bodies[0]?.options?.num_ctx).toBe(8192);
    expect(bodies[1]?.messages.map((message) => message.content)).toContain("echo: hello there");
  });

  it("switches persona with /persona and answers with its system prompt", async () => {
    const before = ollama.chatBodies().length;
    const run = await runTroupe(env({ CONTEXT_TOKENS: "4096" }), "/persona coder\nwrite fizzbuzz\n");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("now answers in this conversation");
    expect(run.stdout.trimEnd().endsWith("echo: write fizzbuzz")).toBe(true);
    const body = ollama.chatBodies().slice(before)[0];
    expect(body?.messages[0]?.content).toMatch(/code/i);
    expect(body?.options?.num_ctx).toBe(4096);
  });

  it("remembers the conversation across a restart with the SQLite store, given --continue", async () => {
    await runTroupe(env(), "my favourite colour is teal\n");
    const before = ollama.chatBodies().length;
    const second = await runTroupe(env(), "what is my favourite colour?\n", ["--continue"]);
    expect(second.code).toBe(0);
    const contents = ollama.chatBodies()[before]?.messages.map((message) => message.content) ?? [];
    expect(contents).toContain("my favourite colour is teal");
  });

  it("keeps running when the model server is down: one short error line on stderr, exit code 1", async () => {
    const run = await runTroupe(
      env({ MODEL_PROVIDER: "ollama", OLLAMA_HOST: "http://127.0.0.1:1" }),
      "hello\n",
    );
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("The model server isn't answering right now");
    expect(run.stderr).toContain('"code":"unavailable"');
    expect(run.code).toBe(1);
  });

  it("talks to an OpenAI-compatible server with MODEL_PROVIDER=openai", async () => {
    const openai = await startFakeOpenAI({ models: ["qwen2.5-7b-instruct"] });
    try {
      const run = await runTroupe(
        env({ MODEL_PROVIDER: "openai", OPENAI_BASE_URL: openai.baseURL, MODEL: "qwen2.5-7b-instruct" }),
        "as coder: hello from a script\n",
      );
      expect(run.stdout).toBe("echo: hello from a script\n");
      expect(run.code).toBe(0);
      const body = openai.requests.find((request) => request.path === "/v1/chat/completions")?.body;
      expect(body).toMatchObject({ model: "qwen2.5-7b-instruct", stream: true, temperature: 0.2 });
    } finally {
      await openai.close();
    }
  });

  it("runs the embedded engine in-process with no model server at all", async () => {
    const modelPath = writeTinyLlama(dir, "tiny.gguf", { steering: { script: "pong!" } });
    const run = await runTroupe(
      env({
        MODEL_PROVIDER: "embedded",
        EMBEDDED_MODEL: modelPath,
        EMBEDDED_THREADS: "1",
      }),
      "ping\n",
    );
    expect(run.stdout).toBe("pong!\n");
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('"model":"embedded:');
  });

  it("logs the fix when the model is missing", async () => {
    const run = await runTroupe(env({ MODEL: "qwen3:0.6b" }), "");
    expect(run.stderr).toContain("ollama pull qwen3:0.6b");
    expect(run.code).toBe(0);
  });
});

describe("start-up failures name the cause and exit 1", () => {
  it("a bad variable", async () => {
    const run = await runTroupe(env({ CONTEXT_TOKENS: "lots" }), "hi\n");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("CONTEXT_TOKENS");
    expect(run.stderr).toContain("Example: CONTEXT_TOKENS=8192");
    expect(run.stdout).toBe("");
  });

  it("a malformed persona file, with its file, line and field", async () => {
    const personas = join(dir, "personas");
    rmSync(personas, { recursive: true, force: true });
    await import("node:fs/promises").then((fs) => fs.mkdir(personas));
    writeFileSync(join(personas, "tutor.md"), "---\nname: tutor\ntemprature: 0.5\n---\nYou teach.\n");
    const run = await runTroupe(env({ PERSONAS_DIR: personas }), "hi\n");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("tutor.md:3");
    expect(run.stderr).toContain("temprature");
  });

  it("an unknown DEFAULT_PERSONA, with the list", async () => {
    const run = await runTroupe(env({ DEFAULT_PERSONA: "wizard" }), "hi\n");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("DEFAULT_PERSONA=wizard");
    expect(run.stderr).toContain("storyteller");
  });

  it("no model anywhere, without a terminal to ask: the three ways to get one", async () => {
    const run = await runTroupe(
      env({ OLLAMA_HOST: "http://127.0.0.1:1", MODELS_DIR: join(dir, "models") }),
      "hi\n",
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("ollama pull");
    expect(run.stderr).toContain("OPENAI_BASE_URL");
    expect(run.stderr).toContain("MODEL_PROVIDER=embedded");
  });

  it("a store that cannot be reached", async () => {
    const run = await runTroupe(env({ STORE_URL: "redis://127.0.0.1:1" }), "hi\n");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("STORE_URL");
  });
});
