/**
 * Three real processes append to one conversation at the same moment, on one Redis and on one
 * SQLite file: every turn is kept, each question beside its answer, and SQLite never reports
 * SQLITE_BUSY (WAL, one connection per process, IMMEDIATE transactions within busy_timeout).
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../../src/store/create-store.js";
import { type RedisServer, startRedisServer } from "../helpers/redis-server.js";

const PROCESSES = 3;
const EXCHANGES_EACH = 40;

interface ChildResult {
  code: number | null;
  stderr: string;
}

/** Long enough for every child to have started (tsx compiles on the way), so their appends overlap. */
const START_IN_MS = 4_000;

function runChild(url: string, conversationId: string, label: string, startAt: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "tests/store/append-child.ts",
        url,
        conversationId,
        label,
        String(EXCHANGES_EACH),
        String(startAt),
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stderr }));
  });
}

async function appendFromProcesses(url: string): Promise<void> {
  const conversationId = `multi:${randomUUID()}`;
  const labels = Array.from({ length: PROCESSES }, (_, index) => `p${index}`);
  const startAt = Date.now() + START_IN_MS;
  const results = await Promise.all(labels.map((label) => runChild(url, conversationId, label, startAt)));
  expect(results).toEqual(labels.map(() => ({ code: 0, stderr: "" })));

  const store = await createStore(url, { historyTtlMs: 60_000, maxTurns: 100_000 });
  try {
    const contents = (await store.getHistory(conversationId)).map((turn) => turn.content);
    expect(contents).toHaveLength(PROCESSES * EXCHANGES_EACH * 2);
    const expected = labels.flatMap((label) =>
      Array.from({ length: EXCHANGES_EACH }, (_, index) => `${label} q${index}`),
    );
    expect(contents.filter((content) => content.includes(" q")).sort()).toEqual(expected.sort());
    // Each block kept together: every question is followed by its own answer.
    for (let index = 0; index < contents.length; index += 2) {
      expect(contents[index + 1]).toBe(contents[index]?.replace(" q", " a"));
    }
  } finally {
    await store.close();
  }
}

describe("appends from several processes at once", () => {
  let server: RedisServer | undefined;
  let directory = "";
  beforeAll(async () => {
    server = await startRedisServer();
    directory = await mkdtemp(join(tmpdir(), "troupe-multi-"));
  });
  afterAll(async () => {
    await server?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it("keeps every turn on one Redis", async () => {
    if (server === undefined) throw new Error("redis-server did not start");
    await appendFromProcesses(server.url);
  }, 60_000);

  it("keeps every turn on one SQLite file, without SQLITE_BUSY", async () => {
    await appendFromProcesses(`sqlite://${join(directory, "shared.sqlite")}`);
  }, 60_000);
});
