/**
 * troupe as a service, through the real process (`node src/main.ts` against the fake Discord,
 * the fake Slack and the fake Ollama, a SQLite store in a temporary folder), METRICS_PORT set:
 * - /healthz, /readyz (503 naming the platform before it is connected, 200 after, 503 naming it
 *   when the platform goes away) and /metrics (counters moved, histograms there, labels right);
 *   other paths 404, other methods 405;
 * - SIGTERM in the middle of a slow answer: the WHOLE answer is delivered, a message arriving
 *   meanwhile is not started, /readyz says "stopping", exit 0; a second signal exits at once;
 * - the same under `npm start` (npm and tsx pass the signal on);
 * - Slack's HTTP events get 503 while stopping;
 * - a METRICS_PORT already in use stops start-up naming it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { texts } from "../../../src/core/errors.js";
import { type FakeDiscord, startFakeDiscord } from "../../fakes/fake-discord/fake-discord.js";
import { type FakeOllama, startFakeOllama } from "../../fakes/fake-ollama.js";
import { type FakeSlack, startFakeSlack } from "../../fakes/fake-slack/fake-slack.js";
import { eventCallback, messageEvent } from "../../fakes/fake-slack/payloads.js";
import { sendSignedEvent } from "../../fakes/fake-slack/signed-requests.js";
import { type OutageProxy, startOutageProxy } from "../../fakes/outage-proxy.js";
import { freePort } from "../../helpers/free-port.js";
import { repoRoot, runCommand, startTroupe, type TroupeService } from "../../helpers/run-troupe.js";

let ollama: FakeOllama;
let discord: FakeDiscord | undefined;
let slack: FakeSlack | undefined;
let proxy: OutageProxy | undefined;
let troupe: TroupeService | undefined;
let dir: string;

beforeEach(async () => {
  ollama = await startFakeOllama();
  dir = mkdtempSync(join(tmpdir(), "troupe-service-"));
});
afterEach(async () => {
  troupe?.kill("SIGKILL");
  await troupe?.exited.catch(() => {});
  troupe = undefined;
  await proxy?.close();
  proxy = undefined;
  await discord?.close();
  discord = undefined;
  await slack?.close();
  slack = undefined;
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  body: string;
}

async function get(port: number, path: string, method = "GET"): Promise<Reply> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: response.status, body: await response.text() };
}

async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  for (const deadline = Date.now() + timeoutMs; !(await check()); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** /readyz until it answers `status`; its body then. */
async function readyzWhen(port: number, status: number): Promise<Record<string, unknown>> {
  let last: Reply | undefined;
  await eventually(`/readyz ${status}`, async () => {
    last = await get(port, "/readyz").catch(() => undefined);
    return last?.status === status;
  });
  return JSON.parse(last?.body ?? "{}") as Record<string, unknown>;
}

/** The value of one sample line of /metrics (`name{labels} value`), undefined when absent. */
function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function logLines(stderr: string, message: string): Record<string, unknown>[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === message);
}

function botMessagesIn(fake: FakeDiscord, channel: string) {
  return fake.messagesIn(channel).filter((message) => message.authorId === fake.ids.bot);
}

async function startOnDiscord(extra: Record<string, string> = {}) {
  const fake = await startFakeDiscord();
  discord = fake;
  const metricsPort = await freePort();
  const service = startTroupe({
    OLLAMA_HOST: ollama.host,
    STORE_URL: `sqlite://${join(dir, "troupe.sqlite")}`,
    DISCORD_TOKEN: fake.token,
    DISCORD_API_URL: fake.apiUrl,
    METRICS_PORT: String(metricsPort),
    METRICS_HOST: "127.0.0.1",
    ...extra,
  });
  troupe = service;
  await service.waitForLog('"msg":"ready"');
  return { fake, service, metricsPort };
}

describe("troupe as a service: the endpoints", () => {
  it("is not ready until Discord is connected, ready after, and not ready naming Discord when it goes away", async () => {
    const fake = await startFakeDiscord();
    discord = fake;
    // Discord's REST out of reach at start: troupe keeps trying while /readyz says what it waits for.
    proxy = await startOutageProxy({ target: new URL(fake.apiUrl).origin, outage: "503" });
    const metricsPort = await freePort();
    troupe = startTroupe({
      OLLAMA_HOST: ollama.host,
      STORE_URL: `sqlite://${join(dir, "troupe.sqlite")}`,
      DISCORD_TOKEN: fake.token,
      DISCORD_API_URL: `${proxy.origin}${new URL(fake.apiUrl).pathname}`,
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: "127.0.0.1",
    });
    await troupe.waitForLog("could not reach Discord: trying again");
    expect((await get(metricsPort, "/healthz")).status).toBe(200);
    const before = await readyzWhen(metricsPort, 503);
    expect(before).toEqual({
      ready: false,
      parts: { model: "ready", discord: "not ready (not connected yet)", troupe: "ready" },
    });

    proxy.heal();
    const after = await readyzWhen(metricsPort, 200);
    expect(after).toEqual({ ready: true, parts: { model: "ready", discord: "ready", troupe: "ready" } });

    await fake.close();
    discord = undefined;
    const down = await readyzWhen(metricsPort, 503);
    expect(down.parts).toEqual({ model: "ready", discord: "not ready (disconnected)", troupe: "ready" });
  });

  it("counts what it did on /metrics, by platform and persona, and serves nothing else", async () => {
    const { fake, metricsPort } = await startOnDiscord();
    const { ids } = fake;
    ollama.enqueue({ chunks: ["A prime ", "has two ", "divisors."], promptTokens: 42, completionTokens: 7 });
    fake.say({ author: ids.bob, channel: ids.general, content: `<@${ids.bot}> what is a prime?` });
    await eventually("the answer on Discord", () =>
      botMessagesIn(fake, ids.general).some((message) => message.content.includes("divisors.")),
    );

    const labels = '{platform="discord",persona="tutor"}';
    let metrics = "";
    await eventually("the answer counted and its conversation done", async () => {
      metrics = (await get(metricsPort, "/metrics")).body;
      return (
        sample(metrics, `troupe_answers_total${labels}`) === 1 &&
        sample(metrics, "troupe_active_conversations") === 0
      );
    });
    expect(sample(metrics, 'troupe_messages_received_total{platform="discord"}')).toBe(1);
    expect(sample(metrics, `troupe_answer_duration_seconds_count${labels}`)).toBe(1);
    expect(sample(metrics, `troupe_time_to_first_text_seconds_count${labels}`)).toBe(1);
    expect(
      sample(metrics, `troupe_answer_duration_seconds_bucket{le="+Inf",platform="discord",persona="tutor"}`),
    ).toBe(1);
    expect(sample(metrics, 'troupe_tokens_total{direction="in"}')).toBe(42);
    expect(sample(metrics, 'troupe_tokens_total{direction="out"}')).toBe(7);
    // One post and at least one edit to grow it.
    expect(sample(metrics, 'troupe_platform_writes_total{platform="discord"}')).toBeGreaterThanOrEqual(1);
    expect(metrics).toContain("# TYPE troupe_rate_limit_waits_total counter");
    expect(sample(metrics, 'troupe_ready{part="discord"}')).toBe(1);
    expect(sample(metrics, 'troupe_ready{part="model"}')).toBe(1);
    expect(metrics).toContain("# TYPE troupe_model_errors_total counter");
    expect(sample(metrics, "troupe_answers_waiting")).toBe(0);

    // A model failure is counted by its code.
    ollama.enqueue({ status: 404, error: 'model "llama3.2" not found, try pulling it first' });
    fake.say({ author: ids.bob, channel: ids.general, content: `<@${ids.bot}> and now?` });
    await eventually("the model error counted", async () => {
      metrics = (await get(metricsPort, "/metrics")).body;
      return sample(metrics, 'troupe_model_errors_total{code="model-missing"}') === 1;
    });

    expect((await get(metricsPort, "/")).status).toBe(404);
    expect((await get(metricsPort, "/metrics/../admin")).status).toBe(404);
    expect((await get(metricsPort, "/metrics", "POST")).status).toBe(405);
    expect((await get(metricsPort, "/readyz", "DELETE")).status).toBe(405);
  });

  it("works on MAX_CONCURRENT_ANSWERS answers at once and shows the rest waiting on /metrics", async () => {
    const { fake, metricsPort } = await startOnDiscord({
      MAX_CONCURRENT_ANSWERS: "1",
      MODEL_IDLE_TIMEOUT_SECONDS: "3",
    });
    const { ids } = fake;
    // Bob's answer stalls after its first words and holds the one place until the idle timeout.
    ollama.enqueue({ chunks: ["Let me think"], stallAfter: 1 });
    fake.say({ author: ids.bob, channel: ids.general, content: `<@${ids.bot}> a long one` });
    await eventually("Bob's answer started", () =>
      botMessagesIn(fake, ids.general).some((message) => message.content.includes("Let me think")),
    );
    fake.say({ author: ids.ada, channel: ids.general, content: `<@${ids.bot}> a quick one` });
    await eventually("Ada's question waiting for a place", async () => {
      const metrics = (await get(metricsPort, "/metrics")).body;
      return sample(metrics, "troupe_answers_waiting") === 1;
    });
    expect(botMessagesIn(fake, ids.general).some((message) => message.content.includes("a quick one"))).toBe(
      false,
    );

    // The stalled answer ends at the idle timeout; Ada's then takes the place.
    await eventually("Ada answered", () => {
      return botMessagesIn(fake, ids.general).some((message) => message.content.includes("a quick one"));
    });
    const metrics = (await get(metricsPort, "/metrics")).body;
    expect(sample(metrics, "troupe_answers_waiting")).toBe(0);
  });

  it("stops start-up naming METRICS_PORT when the port is in use", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    try {
      const run = await runCommand(process.execPath, ["--import", "tsx", "src/main.ts"], {
        env: {
          OLLAMA_HOST: ollama.host,
          STORE_URL: "memory://",
          DISCORD_TOKEN: "MTA4.fake.token",
          METRICS_PORT: String(port),
          METRICS_HOST: "127.0.0.1",
        },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `troupe: METRICS_PORT=${port}: port ${port} is already in use on 127.0.0.1.`,
      );
    } finally {
      taken.close();
    }
  });
});

describe("troupe as a service: the graceful stop", () => {
  it("delivers the WHOLE answer in flight on SIGTERM, starts nothing new, and exits 0", async () => {
    const { fake, service, metricsPort } = await startOnDiscord();
    const { ids } = fake;
    const words = Array.from({ length: 12 }, (_, index) => `word${index} `);
    ollama.enqueue({ chunks: words, delayMs: 250 });
    fake.say({ author: ids.bob, channel: ids.general, content: `<@${ids.bot}> tell me a story` });
    await eventually("the answer's first words on Discord", () =>
      botMessagesIn(fake, ids.general).some((message) => message.content.includes("word1 ")),
    );
    service.kill("SIGTERM");

    const stopping = await readyzWhen(metricsPort, 503);
    expect(stopping.parts).toMatchObject({ troupe: "not ready (stopping)" });
    // Arriving while stopping: not started.
    fake.say({ author: ids.bob, channel: ids.general, content: `<@${ids.bot}> one more?` });

    const run = await service.exited;
    expect(run.code).toBe(0);
    const [answer, ...more] = botMessagesIn(fake, ids.general);
    expect(more).toEqual([]);
    expect(answer?.content).toContain("word11");
    expect(answer?.content).not.toContain(texts.interruptedNote);
    expect(ollama.chatBodies()).toHaveLength(1);
    expect(logLines(run.stderr, "answered")).toMatchObject([
      { platform: "discord", persona: "tutor", conversation: expect.stringMatching(/^discord:/) },
    ]);
    expect(run.stderr).not.toContain("stop did not finish in time");
  });

  it("ends an answer longer than the grace with the interrupted note, and still exits 0", async () => {
    const { fake, service } = await startOnDiscord({ SHUTDOWN_GRACE_SECONDS: "15" });
    const { ids } = fake;
    ollama.enqueue({ chunks: Array.from({ length: 60 }, (_, index) => `word${index} `), delayMs: 200 });
    fake.say({ author: ids.bob, channel: ids.general, content: `<@${ids.bot}> tell me a long story` });
    await eventually("the answer's first words on Discord", () =>
      botMessagesIn(fake, ids.general).some((message) => message.content.includes("word1 ")),
    );
    service.kill("SIGTERM");
    const run = await service.exited;
    expect(run.code).toBe(0);
    const [answer] = botMessagesIn(fake, ids.general);
    expect(answer?.content.endsWith(` ${texts.interruptedNote}`)).toBe(true);
    expect(answer?.content).not.toContain("word59");
    expect(
      logLines(
        run.stderr,
        "stopping: answers still running at the end of the wait are ended with the interrupted note",
      ),
    ).toMatchObject([{ running: 1 }]);
  });

  it("exits at once on a second signal", async () => {
    const { fake, service } = await startOnDiscord();
    const { ids } = fake;
    ollama.enqueue({ chunks: Array.from({ length: 60 }, (_, index) => `word${index} `), delayMs: 200 });
    fake.say({ author: ids.bob, channel: ids.general, content: `<@${ids.bot}> tell me a long story` });
    await eventually("the answer's first words on Discord", () =>
      botMessagesIn(fake, ids.general).some((message) => message.content.includes("word1 ")),
    );
    service.kill("SIGTERM");
    await service.waitForLog('"msg":"stopping"');
    service.kill("SIGINT");
    const run = await service.exited;
    expect(run.code).toBe(130);
    expect(logLines(run.stderr, "signal while stopping: exiting now")).toMatchObject([
      { signal: "SIGINT", pending: "answers" },
    ]);
  });

  it("delivers the whole answer and exits 0 under `npm start` too", async () => {
    const fake = await startFakeDiscord();
    discord = fake;
    const { ids } = fake;
    const child = spawn("npm", ["start", "--silent"], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        OLLAMA_HOST: ollama.host,
        STORE_URL: `sqlite://${join(dir, "troupe.sqlite")}`,
        DISCORD_TOKEN: fake.token,
        DISCORD_API_URL: fake.apiUrl,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      await eventually("ready", () => stderr.includes('"msg":"ready"'), 60_000);
      ollama.enqueue({ chunks: Array.from({ length: 12 }, (_, index) => `word${index} `), delayMs: 250 });
      fake.say({ author: ids.bob, channel: ids.general, content: `<@${ids.bot}> tell me a story` });
      await eventually("the answer's first words on Discord", () =>
        botMessagesIn(fake, ids.general).some((message) => message.content.includes("word1 ")),
      );
      // The signal goes to npm, as a terminal's Ctrl-C or a process manager would send it.
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const [answer] = botMessagesIn(fake, ids.general);
      expect(answer?.content).toContain("word11");
      expect(answer?.content).not.toContain(texts.interruptedNote);
    } finally {
      child.kill("SIGKILL");
    }
  }, 90_000);

  it("answers Slack's HTTP events 503 while stopping, and finishes the answer in flight", async () => {
    const fakeSlack = await startFakeSlack();
    slack = fakeSlack;
    const [eventsPort, metricsPort] = [await freePort(), await freePort()];
    const secret = "service-test-signing-secret";
    const service = startTroupe({
      OLLAMA_HOST: ollama.host,
      STORE_URL: `sqlite://${join(dir, "troupe.sqlite")}`,
      SLACK_BOT_TOKEN: fakeSlack.identity.botToken,
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: fakeSlack.apiUrl,
      PORT: String(eventsPort),
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: "127.0.0.1",
    });
    troupe = service;
    await service.waitForLog('"msg":"ready"');
    expect((await readyzWhen(metricsPort, 200)).parts).toEqual({
      model: "ready",
      slack: "ready",
      troupe: "ready",
    });

    const url = `http://127.0.0.1:${eventsPort}/slack/events`;
    const { identity } = fakeSlack;
    const mention = (text: string) =>
      eventCallback(
        identity,
        messageEvent({
          type: "app_mention",
          channel: "C0SERVICE",
          user: "U0ADA",
          text: `<@${identity.botUserId}> ${text}`,
          ts: fakeSlack.nextTs(),
        }),
      );
    ollama.enqueue({ chunks: Array.from({ length: 10 }, (_, index) => `word${index} `), delayMs: 250 });
    expect((await sendSignedEvent(url, mention("tell me a story"), { secret })).status).toBe(200);
    await eventually("the answer begun", () => ollama.chatBodies().length === 1);
    service.kill("SIGTERM");
    await readyzWhen(metricsPort, 503);

    const refused = await sendSignedEvent(url, mention("one more?"), { secret });
    expect(refused.status).toBe(503);

    const run = await service.exited;
    expect(run.code).toBe(0);
    const texts_ = fakeSlack.botMessages("C0SERVICE").map((message) => message.text);
    expect(texts_.some((text) => text.includes("word9"))).toBe(true);
    expect(ollama.chatBodies()).toHaveLength(1);
  });
});
