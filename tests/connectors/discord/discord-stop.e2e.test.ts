/**
 * How troupe ends on Discord, through the real process (`node src/main.ts` against the fake
 * Discord and the fake Ollama, a SQLite store in a temporary folder):
 * - Discord closing the gateway for good (a token reset: 4004; the Message Content intent switched
 *   off: 4014) stops troupe with exit code 1 and one line naming the variable, the reason and the fix;
 * - SIGTERM while Discord holds the first post behind a rate limit ends with the warn line and the
 *   question stored, never a message posted after the fact;
 * - SIGTERM while an answer streams longer than the grace (SHUTDOWN_GRACE_SECONDS=15: 7 s to
 *   finish, then 6 s for the last writes, which a Discord write window may need) ends with the
 *   text so far and the interrupted note (an answer that finishes within the grace is delivered
 *   whole: tests/app/service).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { texts } from "../../../src/core/errors.js";
import { conversationId } from "../../../src/core/message.js";
import type { Turn } from "../../../src/store/conversation-store.js";
import { createStore } from "../../../src/store/create-store.js";
import {
  type FakeDiscord,
  type FakeDiscordOptions,
  startFakeDiscord,
} from "../../fakes/fake-discord/fake-discord.js";
import { type FakeOllama, startFakeOllama } from "../../fakes/fake-ollama.js";
import { startTroupe, type TroupeService } from "../../helpers/run-troupe.js";

let ollama: FakeOllama;
let discord: FakeDiscord | undefined;
let troupe: TroupeService | undefined;
let dir: string;

beforeEach(async () => {
  ollama = await startFakeOllama();
  dir = mkdtempSync(join(tmpdir(), "troupe-discord-stop-"));
});
afterEach(async () => {
  troupe?.kill("SIGKILL");
  await troupe?.exited.catch(() => {});
  troupe = undefined;
  await discord?.close();
  discord = undefined;
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

const storeUrl = () => `sqlite://${join(dir, "troupe.sqlite")}`;

async function startOnDiscord(
  fake: FakeDiscordOptions = {},
  graceSeconds = 8,
): Promise<{ discord: FakeDiscord; troupe: TroupeService }> {
  discord = await startFakeDiscord(fake);
  troupe = startTroupe({
    OLLAMA_HOST: ollama.host,
    STORE_URL: storeUrl(),
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    SHUTDOWN_GRACE_SECONDS: String(graceSeconds),
  });
  await troupe.waitForLog('"msg":"ready"');
  return { discord, troupe };
}

/** The JSON log lines with this message. */
function logLines(stderr: string, message: string): Record<string, unknown>[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === message);
}

async function historyOf(conversation: string): Promise<Turn[]> {
  const store = await createStore(storeUrl(), { historyTtlMs: 60 * 60_000, maxTurns: 50 });
  try {
    return await store.getHistory(conversation);
  } finally {
    await store.close();
  }
}

async function eventually(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function botMessagesIn(fake: FakeDiscord, channel: string) {
  return fake.messagesIn(channel).filter((message) => message.authorId === fake.ids.bot);
}

describe("troupe on Discord: closes Discord never takes back", () => {
  it("exits 1 with the variable, the reason and the fix on one line when the token is reset (4004)", async () => {
    const running = await startOnDiscord();
    running.discord.resetToken();
    const run = await running.troupe.exited;
    expect(run.code).toBe(1);
    const [stopping] = logLines(run.stderr, "stopping");
    expect(stopping).toMatchObject({ level: 50, exitCode: 1 });
    expect(stopping?.reason).toMatch(
      /^DISCORD_TOKEN: Discord refused the token \(gateway close 4004\)\. Fix: copy the bot token from the Discord developer portal .*Reset Token\)\.$/,
    );
    // The stop ran in order, to the end.
    expect(run.stderr).not.toContain("stop did not finish in time");
  });

  it("exits 1 saying where to enable the Message Content intent when it is switched off (4014)", async () => {
    const running = await startOnDiscord();
    running.discord.disallowMessageContent();
    const run = await running.troupe.exited;
    expect(run.code).toBe(1);
    const [stopping] = logLines(run.stderr, "stopping");
    expect(stopping?.reason).toMatch(
      /^DISCORD_TOKEN: Discord refused the Message Content intent \(gateway close 4014\)\. Fix: enable it in the Discord developer portal .*Message Content Intent\), or restart troupe/,
    );
  });
});

describe("troupe on Discord: SIGTERM with answers in flight", () => {
  it("logs the answer it could not post before exit and keeps the question, when Discord holds the first post", async () => {
    const running = await startOnDiscord();
    const { ids } = running.discord;
    // Discord refuses every write in #general for two minutes: the first post waits in discord.js.
    running.discord.limiter.hold(`channel:${ids.general}`, 120_000);
    running.discord.say({ author: ids.bob, channel: ids.general, content: `<@${ids.bot}> what is a prime?` });
    await eventually("the first post refused with a 429", () =>
      running.discord.requests.some(
        (request) =>
          request.method === "POST" &&
          request.path === `/channels/${ids.general}/messages` &&
          request.status === 429,
      ),
    );
    running.troupe.kill("SIGTERM");
    const run = await running.troupe.exited;

    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain("stop did not finish in time");
    const conversation = conversationId({ platform: "discord", serverId: ids.guild, channelId: ids.general });
    const [cut] = logLines(
      run.stderr,
      "stopping: the answer could not be posted before exit; the question is kept in the history for after the restart",
    );
    expect(cut).toMatchObject({ level: 40, conversation, cutOff: "first-post" });
    // Nothing was posted, then or later.
    expect(botMessagesIn(running.discord, ids.general)).toEqual([]);
    const history = await historyOf(conversation);
    expect(history.map((turn) => [turn.role, turn.content])).toEqual([["user", "what is a prime?"]]);
  });

  it("ends an answer still streaming with the text so far and the interrupted note", async () => {
    const running = await startOnDiscord({}, 15);
    const { ids } = running.discord;
    ollama.enqueue({ chunks: Array.from({ length: 60 }, (_, index) => `word${index} `), delayMs: 200 });
    running.discord.say({
      author: ids.bob,
      channel: ids.general,
      content: `<@${ids.bot}> tell me a long story`,
    });
    await eventually("the answer's first words on Discord", () =>
      botMessagesIn(running.discord as FakeDiscord, ids.general).some((message) =>
        message.content.includes("word1 "),
      ),
    );
    running.troupe.kill("SIGTERM");
    const run = await running.troupe.exited;

    expect(run.code).toBe(0);
    const [answer, ...more] = botMessagesIn(running.discord, ids.general);
    expect(more).toEqual([]);
    expect(answer?.content.endsWith(` ${texts.interruptedNote}`)).toBe(true);
    // Cut before the end: the model had 60 words to send.
    expect(answer?.content).not.toContain("word59");
    const conversation = conversationId({ platform: "discord", serverId: ids.guild, channelId: ids.general });
    expect(
      logLines(
        run.stderr,
        "stopping: the answer so far was posted with the interrupted note; the question is kept in the history for after the restart",
      ),
    ).toHaveLength(1);
    // The cut answer is never stored; its question is.
    const history = await historyOf(conversation);
    expect(history.map((turn) => [turn.role, turn.content])).toEqual([["user", "tell me a long story"]]);
  });
});
