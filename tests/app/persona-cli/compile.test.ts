/**
 * `npm run persona -- compile NAME` against the fake Ollama: the exact /api/create request, the
 * adapter uploaded as a blob, the file's record, and a later answer on the compiled model without
 * the prompt. Failures: one line, exit 1, the file untouched.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commands } from "../../../commands/index.js";
import { run } from "../../../src/app/persona-cli/compile.js";
import { loadConfig } from "../../../src/config.js";
import { createBot } from "../../../src/core/bot.js";
import { createOllamaModel } from "../../../src/model/ollama/ollama-provider.js";
import { loadPersonaDirectory } from "../../../src/personas/persona-directory.js";
import { message } from "../../core/bot-fixture.js";
import { type FakeOllama, startFakeOllama } from "../../fakes/fake-ollama.js";
import { freePort } from "../../helpers/free-port.js";
import { createRecordingLogger } from "../../helpers/recording-logger.js";
import { createRecordingSink } from "../../helpers/recording-sink.js";
import { createSwitchableStore } from "../../helpers/switchable-store.js";

const bardFile = [
  "---",
  "# A bard for the tavern channel",
  "name: bard",
  "temperature: 0.9",
  "top_p: 0.95",
  "max_tokens: 300",
  'stop: ["THE END"]',
  "adapter: loras/bard.gguf",
  "post_history: Answer in verse.",
  "examples:",
  "  - user: Sing of the sea.",
  "    assistant: O the sea, the grey sea.",
  "lore:",
  "  - keys: [dragon]",
  "    content: The dragon of the hills is called Ember.",
  "---",
  "You are a wandering bard.",
  "",
].join("\n");
const adapterBytes = Buffer.from([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0, 0xff, 0x00, 0x80, 0x7f]);

let dir: string;
let fake: FakeOllama;
const lines = { out: [] as string[], err: [] as string[] };
const io = (env: Record<string, string>) => ({
  stdout: (text: string) => lines.out.push(text.replace(/\n$/, "")),
  stderr: (text: string) => lines.err.push(text.replace(/\n$/, "")),
  config: () => loadConfig(environment(env), { readDotenv: false }),
});
const environment = (env: Record<string, string>) => ({
  PERSONAS_DIR: dir,
  MODEL_PROVIDER: "ollama",
  OLLAMA_HOST: fake.host,
  MODEL: "llama3.2",
  CONTEXT_TOKENS: "4096",
  ...env,
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "troupe-compile-"));
  await writeFile(join(dir, "bard.md"), bardFile);
  await import("node:fs/promises").then(({ mkdir }) => mkdir(join(dir, "loras")));
  await writeFile(join(dir, "loras", "bard.gguf"), adapterBytes);
  fake = await startFakeOllama();
  lines.out = [];
  lines.err = [];
});

afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe("persona compile", () => {
  it("creates troupe-NAME from the base with the prompt, parameters, examples and adapter, then records it", async () => {
    expect(await run(["bard"], io({}))).toBe(0);
    const digest = `sha256:${createHash("sha256").update(adapterBytes).digest("hex")}`;
    expect(
      fake.requests
        .filter((request) => request.path.startsWith("/api/blobs/"))
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual([`HEAD /api/blobs/${digest}`, `POST /api/blobs/${digest}`]);
    expect(fake.blobs.get(digest)).toEqual(adapterBytes);
    expect(fake.createBodies()).toEqual([
      {
        model: "troupe-bard",
        from: "llama3.2",
        system: "You are a wandering bard.",
        parameters: { temperature: 0.9, top_p: 0.95, stop: ["THE END"], num_predict: 300, num_ctx: 4096 },
        messages: [
          { role: "user", content: "Sing of the sea." },
          { role: "assistant", content: "O the sea, the grey sea." },
        ],
        adapters: { "bard.gguf": digest },
        stream: false,
      },
    ]);
    const recorded = await readFile(join(dir, "bard.md"), "utf8");
    expect(recorded).toContain("# A bard for the tavern channel\nname: bard\n");
    expect(recorded).toMatch(
      /\nmodel: troupe-bard\ncompiled: sha256:[0-9a-f]{64}\n---\nYou are a wandering bard.\n$/,
    );
    expect(lines.out).toEqual([
      expect.stringContaining('compiled persona "bard" into the Ollama model troupe-bard'),
    ]);
    expect(lines.err).toEqual([]);
  });

  it("then answers on troupe-NAME without the examples, and without the system prompt once the request starts with the history", async () => {
    expect(await run(["bard"], io({}))).toBe(0);
    const logger = createRecordingLogger();
    const personas = await loadPersonaDirectory(dir, { logger, watch: false });
    const bot = createBot({
      model: createOllamaModel({
        host: fake.host,
        model: "llama3.2",
        contextTokens: 4096,
        idleTimeoutMs: 5_000,
      }),
      store: createSwitchableStore(),
      personas,
      commands,
      logger,
      settings: { defaultPersona: "bard", contextTokens: 4096, replyTokens: 512 },
    });
    await bot.handleMessage(message("Good evening."), createRecordingSink());
    await bot.handleMessage(message("Tell me of the dragon."), createRecordingSink());
    personas.close();
    const [first, second] = fake.chatBodies();
    expect(first?.model).toBe("troupe-bard");
    // Ollama drops a model's own prompt when a request starts with a system message: that one carries it.
    expect(first?.messages).toEqual([
      { role: "system", content: "You are a wandering bard.\n\nAnswer in verse." },
      { role: "user", content: "Good evening." },
    ]);
    expect(second?.model).toBe("troupe-bard");
    expect(second?.messages).toEqual([
      { role: "user", content: "Good evening." },
      { role: "assistant", content: expect.any(String) },
      { role: "system", content: "The dragon of the hills is called Ember.\n\nAnswer in verse." },
      { role: "user", content: "Tell me of the dragon." },
    ]);
    expect(JSON.stringify(second)).not.toContain("wandering bard");
    expect(JSON.stringify(fake.chatBodies())).not.toContain("Sing of the sea.");
    expect(logger.lines.some((line) => line.message.includes("changed since it was compiled"))).toBe(false);
  });

  it("after the file is edited, answers on the base model with the prompt, and warns to compile again", async () => {
    expect(await run(["bard"], io({}))).toBe(0);
    const path = join(dir, "bard.md");
    await writeFile(path, (await readFile(path, "utf8")).replace("wandering bard", "grumpy bard"));
    const logger = createRecordingLogger();
    const personas = await loadPersonaDirectory(dir, { logger, watch: false });
    const bot = createBot({
      model: createOllamaModel({
        host: fake.host,
        model: "llama3.2",
        contextTokens: 4096,
        idleTimeoutMs: 5_000,
      }),
      store: createSwitchableStore(),
      personas,
      commands,
      logger,
      settings: { defaultPersona: "bard", contextTokens: 4096, replyTokens: 512 },
    });
    await bot.handleMessage(message("Hello"), createRecordingSink());
    personas.close();
    const [body] = fake.chatBodies();
    expect(body?.model).toBe("llama3.2");
    expect(body?.messages[0]).toEqual({ role: "system", content: "You are a grumpy bard." });
    expect(body?.messages[1]).toEqual({ role: "user", content: "Sing of the sea." });
    expect(
      logger.lines.filter((line) =>
        line.message.includes("compile it again: npm run persona -- compile bard"),
      ),
    ).toHaveLength(1);
  });
});

describe("persona compile: failures are one line, exit 1, the file untouched", () => {
  async function fails(argv: string[], env: Record<string, string>): Promise<string> {
    expect(await run(argv, io(env))).toBe(1);
    expect(await readFile(join(dir, "bard.md"), "utf8")).toBe(bardFile);
    expect(lines.out).toEqual([]);
    expect(lines.err).toHaveLength(1);
    return lines.err[0] ?? "";
  }

  it("Ollama out of reach", async () => {
    const port = await freePort();
    expect(await fails(["bard"], { OLLAMA_HOST: `http://127.0.0.1:${port}` })).toMatch(
      /^persona compile: cannot reach Ollama at http:\/\/127\.0\.0\.1:\d+ .*: start it \(ollama serve\) or set OLLAMA_HOST$/,
    );
  });

  it("a base model Ollama does not have, in Ollama's words", async () => {
    expect(await fails(["bard"], { MODEL: "no-such-model" })).toBe(
      "persona compile: Ollama refused creating troupe-bard from no-such-model (HTTP 500): pull model manifest: file does not exist",
    );
  });

  it("an unknown persona, naming the known ones", async () => {
    expect(await fails(["minstrel"], {})).toBe(
      `persona compile: no persona named "minstrel" in PERSONAS_DIR=${dir} (known: bard)`,
    );
    expect(fake.requests).toEqual([]);
  });

  it("another provider", async () => {
    expect(await fails(["bard"], { MODEL_PROVIDER: "embedded" })).toMatch(
      /^persona compile: builds an Ollama model, but troupe uses MODEL_PROVIDER=embedded; set MODEL_PROVIDER=ollama/,
    );
    expect(fake.requests).toEqual([]);
  });

  it("no name", async () => {
    expect(await fails([], {})).toMatch(/^usage: npm run persona -- compile NAME/);
  });
});
