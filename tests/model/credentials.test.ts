/**
 * Model servers behind a reverse proxy with basic auth, and refused keys, for both providers against
 * their loopback fakes: the URL's credentials arrive as an `Authorization: Basic` header, a refusal
 * is its own short error that names the setting to fix and is not retried, and the password never
 * reaches a log line, an error, a notice or a chat.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { commands } from "../../commands/index.js";
import { createBot } from "../../src/core/bot.js";
import { userMessageFor } from "../../src/core/errors.js";
import { type ChatModel, ModelError } from "../../src/model/chat-model.js";
import { createChatModel, type ModelSettings } from "../../src/model/create-chat-model.js";
import { createOpenAIModel } from "../../src/model/openai/openai-provider.js";
import { describeError } from "../../src/model/server-error-text.js";
import { chooseModelProvider } from "../../src/model/startup/choose-provider.js";
import { checkModel } from "../../src/model/startup/model-notice.js";
import { DEFAULT_EMBEDDED_MODEL } from "../../src/model/startup/model-source.js";
import { message } from "../core/bot-fixture.js";
import { startFakeOllama } from "../fakes/fake-ollama.js";
import { startFakeOpenAI } from "../fakes/fake-openai.js";
import type { RecordedRequest } from "../fakes/loopback-server.js";
import type { BasicAuth } from "../fakes/proxy-basic-auth.js";
import { staticCatalog, testPersona } from "../helpers/personas.js";
import { createRecordingLogger, type RecordingLogger } from "../helpers/recording-logger.js";
import { createRecordingSink } from "../helpers/recording-sink.js";
import { createSwitchableStore } from "../helpers/switchable-store.js";
import { closedPort, codeOf, collect, hello } from "./collect.js";
import { findSecrets } from "./find-secrets.js";

const user = "troupe";
const password = "hunter2-Zq9x";
const wrongPassword = "letmein-Wq4y";
const proxy: BasicAuth = { user, password };
/** The header the proxy expects, and its base64 part: that must not leak either. */
const basic = (secret: string) => Buffer.from(`${user}:${secret}`).toString("base64");
const secrets = [password, wrongPassword, basic(password), basic(wrongPassword)];

interface Fake {
  readonly port: number;
  readonly requests: RecordedRequest[];
  chatBodies(): readonly unknown[];
  enqueue(...replies: Array<{ status?: number }>): void;
  close(): Promise<void>;
}

interface ProviderCase {
  name: "ollama" | "openai";
  /** The setting a refused password asks to fix. */
  variable: string;
  start(auth?: BasicAuth): Promise<Fake>;
  /** The server URL for `port`, with `user:secret@` when given. */
  url(port: number, secret?: string): string;
  settings(url: string): Pick<ModelSettings, "provider" | "ollamaHost" | "openaiBaseUrl">;
}

const ollamaCase: ProviderCase = {
  name: "ollama",
  variable: "OLLAMA_HOST",
  start: (basicAuth) => startFakeOllama({ basicAuth }),
  url: (port, secret) => `http://${secret === undefined ? "" : `${user}:${secret}@`}127.0.0.1:${port}`,
  settings: (url) => ({ provider: "ollama", ollamaHost: url }),
};

const openaiCase: ProviderCase = {
  name: "openai",
  variable: "OPENAI_BASE_URL",
  start: (basicAuth) => startFakeOpenAI({ basicAuth }),
  url: (port, secret) => `http://${secret === undefined ? "" : `${user}:${secret}@`}127.0.0.1:${port}/v1`,
  settings: (url) => ({ provider: "openai", ollamaHost: "http://127.0.0.1:11434", openaiBaseUrl: url }),
};

const providers = [ollamaCase, openaiCase];

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  cleanups = [];
});

async function started(provider: ProviderCase, auth?: BasicAuth): Promise<Fake> {
  const fake = await provider.start(auth);
  cleanups.push(() => fake.close());
  return fake;
}

/** The model as main builds it: retries (without waiting) logged as main logs them, warnings too. */
function modelFor(
  settings: Pick<ModelSettings, "provider"> &
    Partial<Pick<ModelSettings, "ollamaHost" | "openaiBaseUrl" | "openaiApiKey">>,
  logger: RecordingLogger,
): ChatModel {
  return createChatModel({
    model: "llama3.2",
    contextTokens: 2048,
    idleTimeoutMs: 5_000,
    logger,
    ...settings,
    ollamaHost: settings.ollamaHost ?? "http://127.0.0.1:11434",
    retry: {
      maxAttempts: 3,
      sleep: async () => {},
      onRetry: ({ attempt, error }) => logger.warn({ attempt, err: error }, "model call failed: retrying"),
    },
  });
}

/**
 * One message through the real bot: the lines the user sees, and the log lines core writes. A
 * Discord user by default; `console` is the person at the terminal, who runs troupe and is shown
 * the fix.
 */
async function ask(
  model: ChatModel,
  logger: RecordingLogger,
  platform: "discord" | "console" = "discord",
): Promise<string[]> {
  const bot = createBot({
    model,
    store: createSwitchableStore(),
    personas: staticCatalog([testPersona("tutor")]),
    commands,
    logger,
    settings: { defaultPersona: "tutor", contextTokens: 2048, replyTokens: 256 },
  });
  const sink = createRecordingSink();
  const asked =
    platform === "console"
      ? message("hi")
      : message("hi", {
          platform,
          conversationId: "discord:dm:ada",
          channelId: "dm-ada",
          author: { id: "ada", name: "Ada", canManageChannel: true, canManageServer: true },
        });
  await bot.handleMessage(asked, sink);
  return sink.replies.map((reply) => reply.text).filter((text) => text !== "");
}

const refusedLine = userMessageFor(new ModelError("unauthorized", "x"));

describe("the refused-credentials line users see", () => {
  it("says the server refused troupe's credentials, in one short line that names no setting", () => {
    expect(refusedLine).toContain("refused troupe's credentials");
    expect(refusedLine.split("\n")).toHaveLength(1);
    expect(refusedLine).not.toMatch(/OLLAMA_HOST|OPENAI_/);
  });
});

describe.each(providers)("$name behind a proxy with basic auth", (provider) => {
  it("sends the URL's user and password as an Authorization: Basic header, and answers", async () => {
    const fake = await started(provider, proxy);
    const logger = createRecordingLogger();
    const model = modelFor(provider.settings(provider.url(fake.port, password)), logger);
    expect(await model.check()).toEqual({ ok: true, model: "llama3.2" });
    const result = await collect(model.stream(hello));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe("echo: hello");
    expect(fake.requests.length).toBeGreaterThanOrEqual(2);
    for (const request of fake.requests)
      expect(request.headers.authorization).toBe(`Basic ${basic(password)}`);
  });

  it("a wrong password: one short line for the user, the setting named in the log, and no retry", async () => {
    const fake = await started(provider, proxy);
    const logger = createRecordingLogger();
    const model = modelFor(provider.settings(provider.url(fake.port, wrongPassword)), logger);
    expect(await ask(model, logger)).toEqual([refusedLine]);
    expect(fake.chatBodies()).toHaveLength(1);
    expect(logger.lines.filter((line) => line.message.includes("retrying"))).toEqual([]);
    const failure = logger.lines.find((line) => line.fields.code === "unauthorized");
    expect(failure?.level).toBe("error");
    expect(failure?.fields.status).toBe(401);
    expect(String((failure?.fields.err as Error | undefined)?.message)).toContain(
      `refused the user name and password in ${provider.variable}`,
    );
    // The person at the terminal runs troupe: their line names the setting to fix, password masked.
    const [operatorLine] = await ask(model, logger, "console");
    expect(operatorLine).toContain(`correct the user name and password in ${provider.variable}`);
    expect(operatorLine).toContain(`${user}:***@`);
    expect(findSecrets(operatorLine, secrets)).toEqual([]);
  });

  it("the start-up check says the credentials were refused and which setting to fix", async () => {
    const fake = await started(provider, proxy);
    const logger = createRecordingLogger();
    const model = modelFor(provider.settings(provider.url(fake.port, wrongPassword)), logger);
    const health = await model.check();
    expect(health).toMatchObject({ ok: false, code: "unauthorized" });
    const notice = await checkModel(model, logger);
    expect(notice).toContain("refused the user name and password");
    expect(notice).toContain(`Fix: correct the user name and password in ${provider.variable}`);
    expect(notice).toContain(`${user}:***@127.0.0.1:${fake.port}`);
  });

  it("a server that wants credentials the URL does not have says where to put them", async () => {
    const fake = await started(provider, proxy);
    const model = modelFor(provider.settings(provider.url(fake.port)), createRecordingLogger());
    const result = await collect(model.stream(hello));
    expect(codeOf(result.error)).toBe("unauthorized");
    const health = await model.check();
    expect(health.ok ? "" : `${health.message} ${health.hint}`).toContain(
      provider.name === "ollama" ? "OLLAMA_HOST" : "OPENAI_API_KEY",
    );
  });

  it("a 403 is a refusal too", async () => {
    const fake = await started(provider);
    fake.enqueue({ status: 403 });
    const model = modelFor(provider.settings(provider.url(fake.port)), createRecordingLogger());
    const result = await collect(model.stream(hello));
    expect(codeOf(result.error)).toBe("unauthorized");
    expect(fake.chatBodies()).toHaveLength(1);
  });

  it("no log line, error, notice or chat text carries the password, whatever fails", async () => {
    const logger = createRecordingLogger();
    const shown: unknown[] = [];
    const fake = await started(provider, proxy);
    const down = provider.url(await closedPort(() => provider.start()), password);
    const scenarios: Array<{ url: string; before?: () => void }> = [
      { url: provider.url(fake.port, password) },
      { url: provider.url(fake.port, wrongPassword) },
      // Three 500s: retried, then given up.
      {
        url: provider.url(fake.port, password),
        before: () => fake.enqueue({ status: 500 }, { status: 500 }, { status: 500 }),
      },
      { url: down },
    ];
    for (const scenario of scenarios) {
      scenario.before?.();
      const model = modelFor(provider.settings(scenario.url), logger);
      shown.push(await ask(model, logger));
      shown.push(await ask(model, logger, "console"));
      shown.push(await model.check());
      shown.push(await checkModel(model, logger));
      shown.push((await collect(model.stream(hello))).error);
    }
    const choice = await chooseModelProvider({
      requested: "auto",
      ollamaHost: provider.name === "ollama" ? provider.url(fake.port, wrongPassword) : down,
      openaiBaseUrl: provider.name === "openai" ? provider.url(fake.port, password) : undefined,
      embeddedModel: DEFAULT_EMBEDDED_MODEL,
      modelsDir: "./does-not-exist/models",
      interactive: false,
      ask: async () => false,
      progressOutput: { write: () => true },
      logger,
    });
    shown.push(choice);
    // The failures did happen, with their causes in the log.
    expect(logger.lines.map((line) => line.fields.code)).toEqual(
      expect.arrayContaining(["unauthorized", "unavailable"]),
    );
    expect(findSecrets(logger.lines, secrets, "log")).toEqual([]);
    expect(findSecrets(shown, secrets, "shown")).toEqual([]);
  });
});

describe("ollama: a proxy's own error page", () => {
  it("is read as the error's words, without the client printing to standard output", async () => {
    const fake = await started(ollamaCase, proxy);
    const printed = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const model = modelFor(ollamaCase.settings(ollamaCase.url(fake.port)), createRecordingLogger());
      const { error } = await collect(model.stream(hello));
      expect(codeOf(error)).toBe("unauthorized");
      // nginx's HTML page becomes its status line.
      expect(describeError(error)).toMatch(/: 401 Unauthorized$/);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
  });
});

describe("ollama: the start-up probe (MODEL_PROVIDER=auto)", () => {
  it("reaches Ollama behind the proxy with the URL's credentials, and logs the URL masked", async () => {
    const fake = await started(ollamaCase, proxy);
    const logger = createRecordingLogger();
    const choice = await chooseModelProvider({
      requested: "auto",
      ollamaHost: `http://${user}:${password}@127.0.0.1:${fake.port}`,
      embeddedModel: DEFAULT_EMBEDDED_MODEL,
      modelsDir: "./does-not-exist/models",
      interactive: false,
      ask: async () => false,
      progressOutput: { write: () => true },
      logger,
    });
    expect(choice).toEqual({
      provider: "ollama",
      reason: `Ollama 0.12.0 answers at http://${user}:***@127.0.0.1:${fake.port}`,
    });
    expect(fake.requests[0]?.headers.authorization).toBe(`Basic ${basic(password)}`);
  });

  it("says a refused password is why Ollama is not used", async () => {
    const fake = await started(ollamaCase, proxy);
    const choice = await chooseModelProvider({
      requested: "auto",
      ollamaHost: `http://${user}:${wrongPassword}@127.0.0.1:${fake.port}`,
      embeddedModel: DEFAULT_EMBEDDED_MODEL,
      modelsDir: "./does-not-exist/models",
      interactive: false,
      ask: async () => false,
      progressOutput: { write: () => true },
      logger: createRecordingLogger(),
    });
    expect(choice.provider).toBe("none");
    const text = choice.provider === "none" ? choice.message : "";
    expect(text).toContain("refused the user name and password in OLLAMA_HOST (HTTP 401)");
    expect(findSecrets(text, secrets)).toEqual([]);
  });
});

describe("openai: OPENAI_API_KEY", () => {
  it("a refused key: the log names OPENAI_API_KEY, the user sees the refused line, no retry", async () => {
    const fake = await startFakeOpenAI({ apiKey: "sk-right" });
    cleanups.push(() => fake.close());
    const logger = createRecordingLogger();
    const model = modelFor(
      { provider: "openai", openaiBaseUrl: fake.baseURL, openaiApiKey: "sk-wrong" },
      logger,
    );
    expect(await ask(model, logger)).toEqual([refusedLine]);
    expect(fake.chatBodies()).toHaveLength(1);
    const failure = logger.lines.find((line) => line.fields.code === "unauthorized");
    expect(String((failure?.fields.err as Error | undefined)?.message)).toContain("refused OPENAI_API_KEY");
    const health = await model.check();
    expect(health).toMatchObject({ ok: false, code: "unauthorized" });
    expect(health.ok ? "" : health.hint).toContain("check OPENAI_API_KEY");
    expect(findSecrets(logger.lines, ["sk-wrong"])).toEqual([]);
  });

  it("with both a key and a URL password, the key is sent as the bearer token, and a warning says so", async () => {
    const fake = await startFakeOpenAI({ apiKey: "sk-right" });
    cleanups.push(() => fake.close());
    const logger = createRecordingLogger();
    const url = `http://${user}:${password}@127.0.0.1:${fake.port}/v1`;
    const model = modelFor({ provider: "openai", openaiBaseUrl: url, openaiApiKey: "sk-right" }, logger);
    expect((await collect(model.stream(hello))).text).toBe("echo: hello");
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer sk-right");
    const warning = logger.lines.find((line) => line.level === "warn");
    expect(warning?.message).toContain("the key is sent, the URL's credentials are not");
    expect(warning?.fields.openaiBaseUrl).toBe(`http://${user}:***@127.0.0.1:${fake.port}/v1`);
    expect(findSecrets(logger.lines, secrets)).toEqual([]);
  });

  it("sends a query in OPENAI_BASE_URL with every request (the SDK would put it before the path)", async () => {
    const fake = await startFakeOpenAI();
    cleanups.push(() => fake.close());
    const urls: string[] = [];
    const model = createOpenAIModel({
      baseURL: `${fake.baseURL}?api-version=2024-06-01`,
      model: "llama3.2",
      idleTimeoutMs: 5_000,
      fetch: (input, init) => {
        urls.push(String(input));
        return fetch(input, init);
      },
    });
    expect((await collect(model.stream(hello))).text).toBe("echo: hello");
    expect(urls).toEqual([`${fake.baseURL}/chat/completions?api-version=2024-06-01`]);
  });
});
