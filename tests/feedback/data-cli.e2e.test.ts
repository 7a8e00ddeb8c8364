/**
 * `npm run data -- forget` as a real process on a SQLite store the bot wrote: the person's turns
 * and records go, the counts are printed, someone else's stay; bad arguments exit 2 with usage.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncomingMessage } from "../../src/core/message.js";
import { createLearning } from "../../src/feedback/learning.js";
import { createStore } from "../../src/store/create-store.js";
import { runCommand } from "../helpers/run-troupe.js";
import { exchangesIn, ratingsIn } from "./records.js";

const LIMITS = { historyTtlMs: 24 * 60 * 60_000, maxTurns: 100 };
let directory = "";
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "troupe-data-cli-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const message = (userId: string, name: string): IncomingMessage => ({
  platform: "discord",
  conversationId: "discord:G1:C1",
  channelId: "C1",
  author: { id: userId, name, canManageChannel: false, canManageServer: false },
  text: "",
  isDirect: false,
  attachments: [],
});

describe("npm run data -- forget", () => {
  it("forgets one person in the configured store and prints the counts", async () => {
    const url = `sqlite://${join(directory, "troupe.sqlite")}`;
    const store = await createStore(url, LIMITS);
    const learning = createLearning(store, { ttlMs: LIMITS.historyTtlMs });
    for (const [id, name, order] of [
      ["111", "Ada", 10],
      ["222", "Bob", 11],
    ] as const) {
      await store.appendTurns(
        "discord:G1:C1",
        [
          { role: "user", content: `I am ${name}`, author: { id, name }, at: order },
          { role: "assistant", content: `hi ${name}`, persona: "tutor", at: order },
        ],
        { order },
      );
      await learning.answered({
        message: message(id, name),
        persona: "tutor",
        messages: [{ role: "user", content: `${name}: I am ${name}` }],
        answer: `hi ${name}`,
        messageIds: [`m${id}`],
        speakers: [name],
        at: order,
      });
      await learning.rateLast(message(id, name), "good");
    }
    await store.close();

    const env = { STORE_URL: url, HISTORY_TTL_DAYS: "1" };
    const run = await runCommand(
      "npm",
      ["run", "--silent", "data", "--", "forget", "--platform", "discord", "--user", "111"],
      {
        env,
      },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "Forgot discord user 111:",
        "  turns: 2 (their messages and the answers to them, in 1 conversations)",
        "  exchange records: 1",
        "  ratings: 1",
        "  bindings: 0",
        "",
      ].join("\n"),
    );

    const after = await createStore(url, LIMITS);
    try {
      expect((await after.getHistory("discord:G1:C1")).map((turn) => turn.content)).toEqual([
        "I am Bob",
        "hi Bob",
      ]);
      expect((await exchangesIn(after)).map((exchange) => exchange.answer)).toEqual(["hi Bob"]);
      expect(await ratingsIn(after)).toHaveLength(1);
    } finally {
      await after.close();
    }

    const bad = await runCommand(
      "npm",
      ["run", "--silent", "data", "--", "forget", "--platform", "irc", "--user", "1"],
      {
        env,
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("data: --platform must be discord, slack or console");
    expect(bad.stderr).toContain("Usage:");
  });
});
