/**
 * `npm run dataset` as a real process on a SQLite store: export writes the JSONL file, --stats
 * prints the counts, nothing matching exits 1 without a file, a bad flag exits 2 with the usage.
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLearning } from "../../src/feedback/learning.js";
import { createStore } from "../../src/store/create-store.js";
import { runCommand } from "../helpers/run-troupe.js";

const LIMITS = { historyTtlMs: 24 * 60 * 60_000, maxTurns: 100 };
let directory = "";
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "troupe-dataset-cli-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("npm run dataset", () => {
  it("exports rated answers as JSONL, prints stats, and says when nothing matches", async () => {
    const url = `sqlite://${join(directory, "troupe.sqlite")}`;
    const store = await createStore(url, LIMITS);
    const learning = createLearning(store, { ttlMs: LIMITS.historyTtlMs });
    await learning.answered({
      message: {
        platform: "slack",
        conversationId: "slack:T1:C1:1.0",
        serverId: "T1",
        channelId: "C1",
        author: { id: "U111", name: "Ada", canManageChannel: false, canManageServer: false },
        text: "",
        isDirect: false,
        attachments: [],
      },
      persona: "tutor",
      messages: [
        { role: "system", content: "You are the tutor." },
        { role: "user", content: "Ada: my token is xoxb-1234567890-abcdefghij" },
      ],
      answer: "Please revoke it, Ada.",
      messageIds: ["C1:2.0"],
      speakers: ["Ada"],
      at: Date.parse("2026-03-01T12:00:00Z"),
    });
    await learning.react({
      platform: "slack",
      messageId: "C1:2.0",
      userId: "U111",
      rating: "good",
      removed: false,
    });
    await store.close();
    const env = { STORE_URL: url };
    const out = join(directory, "out", "tutor.jsonl");

    const run = await runCommand(
      "npm",
      [
        "run",
        "--silent",
        "dataset",
        "--",
        "export",
        "--persona",
        "tutor",
        "--rating",
        "good",
        "--since",
        "2026-01-01",
        "--format",
        "openai",
        "--out",
        out,
      ],
      { env },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`Wrote 1 openai records of tutor to ${out}\n`);
    expect(await readFile(out, "utf8")).toBe(
      `${JSON.stringify({
        messages: [
          { role: "system", content: "You are the tutor." },
          { role: "user", content: "Person 1: my token is [token]" },
          { role: "assistant", content: "Please revoke it, Person 1." },
        ],
      })}\n`,
    );

    const stats = await runCommand("npm", ["run", "--silent", "dataset", "--", "--stats"], { env });
    expect(stats.code).toBe(0);
    expect(stats.stdout).toBe("persona\tgood\tbad\trated exchanges\ntutor\t1\t0\t1\n");

    const none = join(directory, "none.jsonl");
    const nothing = await runCommand(
      "npm",
      [
        "run",
        "--silent",
        "dataset",
        "--",
        "export",
        "--persona",
        "tutor",
        "--rating",
        "bad",
        "--format",
        "sharegpt",
        "--out",
        none,
      ],
      { env },
    );
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain("no rated answers of tutor match (rating bad)");
    await expect(stat(none)).rejects.toThrow();

    const bad = await runCommand(
      "npm",
      ["run", "--silent", "dataset", "--", "export", "--persona", "tutor", "--format", "csv", "--out", none],
      {
        env,
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("dataset: --format must be openai or sharegpt");
  });
});
