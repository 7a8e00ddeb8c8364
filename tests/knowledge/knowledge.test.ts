/**
 * Personas that answer from documents, end to end: a persona folder and documents on disk, the real
 * index (SQLite FTS5 + sqlite-vec), the real bot and Ollama provider against the fake Ollama, which
 * also embeds (deterministic hashed bag of words).
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { IncomingMessage } from "../../src/core/message.js";
import { MIN_VECTOR_SIMILARITY } from "../../src/knowledge/knowledge-service.js";
import { createRecordingSink } from "../helpers/recording-sink.js";
import { createKnowledgeWorld, type KnowledgeWorld } from "./knowledge-fixture.js";

const GUIDE = `# Guide

## Installing

Run npm install and then npm start. troupe needs Node 20 or newer.

## Backups

The conversation store lives in data/troupe.sqlite. Copy that file while troupe is stopped to back it up.

## Colours

Set NO_COLOR to turn colours off in the terminal.
`;

const SECRET = `# Rockets

## Launch codes

The launch code for the moon rocket is 4242.
`;

function message(text: string): IncomingMessage {
  return {
    platform: "console",
    conversationId: "console:ada",
    channelId: "ada",
    author: { id: "ada", name: "Ada", canManageChannel: true, canManageServer: true, runsTroupe: true },
    text,
    isDirect: true,
    attachments: [],
  };
}

let world: KnowledgeWorld;

async function writePersonas(): Promise<void> {
  await world.write("personas/support.md", "---\nknowledge: [../docs]\n---\nYou help people run troupe.\n");
  await world.write(
    "personas/rocketeer.md",
    "---\nknowledge: [../rockets/codes.md]\n---\nYou fly rockets.\n",
  );
  await world.write("docs/guide.md", GUIDE);
  await world.write("rockets/codes.md", SECRET);
}

describe("knowledge", () => {
  beforeEach(async () => {
    world = await createKnowledgeWorld();
    await writePersonas();
  });
  afterEach(() => world.close());

  it("puts the passage that answers into the prompt and ends the answer with its source", async () => {
    const opened = await world.open({ embedModel: "nomic-embed-text" });
    const { bot } = opened;
    world.ollama.enqueue({ chunks: ["Copy data/troupe.sqlite ", "while troupe is stopped."] });
    const sink = createRecordingSink();
    await bot.handleMessage(message("How do I back up the conversation store?"), sink);

    const prompt = world.ollama.chatBodies().at(-1)?.messages ?? [];
    const grounding = prompt.find((entry) => entry.role === "system" && entry.content.includes("[1]"));
    expect(grounding?.content).toContain(
      "[1] docs/guide.md › Guide › Backups\nThe conversation store lives in data/troupe.sqlite",
    );
    expect(grounding?.content).toContain("If they do not hold the answer, say so");
    expect(prompt.at(-1)).toEqual({ role: "user", content: "How do I back up the conversation store?" });

    const answer = sink.replies.find((reply) => reply.kind === "stream")?.text ?? "";
    expect(answer).toMatch(
      /^Copy data\/troupe\.sqlite while troupe is stopped\.\n\nSources: docs\/guide\.md › Guide › Backups/,
    );

    const answered = world.logger.lines.find((line) => line.message === "answered");
    const passages = answered?.fields.passages as { source: string; heading?: string; score: number }[];
    expect(passages[0]).toMatchObject({ source: "docs/guide.md", heading: "Guide › Backups" });
    expect(passages[0]?.score).toBeGreaterThan(0);

    // The history and the record a rating is kept with hold the answer without its sources line,
    // so neither the model nor a fine-tuning dataset learns to write one.
    expect(opened.answered.map((exchange) => exchange.answer)).toEqual([
      "Copy data/troupe.sqlite while troupe is stopped.",
    ]);
    await bot.handleMessage(message("And how do I restore it?"), createRecordingSink());
    const next = world.ollama.chatBodies().at(-1)?.messages ?? [];
    expect(next.find((entry) => entry.role === "assistant")?.content).toBe(
      "Copy data/troupe.sqlite while troupe is stopped.",
    );
  });

  it("gives an off-topic question no passages and no sources line, and logs what the cut-off removed", async () => {
    const { bot, knowledge, personas } = await world.open({ embedModel: "nomic-embed-text" });
    world.ollama.enqueue({ chunks: ["Paris."] });
    const sink = createRecordingSink();
    await bot.handleMessage(message("What is the capital of France?"), sink);

    const prompt = world.ollama.chatBodies().at(-1)?.messages ?? [];
    expect(prompt.some((entry) => entry.content.includes("Answer from the passages below"))).toBe(false);
    expect(sink.replies.find((reply) => reply.kind === "stream")?.text).toBe("Paris.");
    const answered = world.logger.lines.find((line) => line.message === "answered");
    expect(answered?.fields.passages).toBeUndefined();
    // The vector search always finds neighbours: they are named in the log, with their similarity.
    const cut = answered?.fields.passagesCut as { source: string; similarity?: number; bm25?: number }[];
    expect(cut.length).toBeGreaterThan(0);
    for (const passage of cut) {
      expect(passage.bm25).toBeUndefined();
      expect(passage.similarity).toBeLessThan(MIN_VECTOR_SIMILARITY);
    }

    const support = personas.get("support");
    if (support === undefined) throw new Error("support did not load");
    const ranked = await knowledge.search(support, "What is the capital of France?", 5);
    expect(ranked.length).toBeGreaterThan(0);
    expect(ranked.every((passage) => !passage.relevant)).toBe(true);
    const relevant = await knowledge.retrieve(support, "How do I back up the conversation store?", 4);
    expect(relevant.passages[0]).toMatchObject({ heading: "Guide › Backups" });
    expect(relevant.passages[0]?.bm25).toBeLessThan(0);
  });

  it("gives no passages to an off-topic question that shares one ordinary word with a document", async () => {
    const { bot, knowledge, personas } = await world.open();
    world.ollama.enqueue({ chunks: ["Try the market."] });
    const sink = createRecordingSink();
    // "store" is in the Backups passage ("The conversation store"); "best" and "groceries" are not.
    await bot.handleMessage(message("Which is the best store for groceries?"), sink);

    const prompt = world.ollama.chatBodies().at(-1)?.messages ?? [];
    expect(prompt.some((entry) => entry.content.includes("Answer from the passages below"))).toBe(false);
    expect(sink.replies.find((reply) => reply.kind === "stream")?.text).toBe("Try the market.");
    const answered = world.logger.lines.find((line) => line.message === "answered");
    expect(answered?.fields.passages).toBeUndefined();
    expect(answered?.fields.passagesCut).toEqual([
      expect.objectContaining({ heading: "Guide › Backups", terms: "matched 1 of 3" }),
    ]);

    // A real question about that passage still gets it.
    const support = personas.get("support");
    if (support === undefined) throw new Error("support did not load");
    const real = await knowledge.retrieve(support, "Where is the conversation store kept?", 4);
    expect(real.passages[0]).toMatchObject({ heading: "Guide › Backups", matchedTerms: 2, questionTerms: 3 });
  });

  it("answers a one-word question from the passage or heading holding that word", async () => {
    const { bot, knowledge, personas } = await world.open();
    world.ollama.enqueue({ chunks: ["Copy the file."] });
    const sink = createRecordingSink();
    await bot.handleMessage(message("backups?"), sink);
    expect(sink.replies.find((reply) => reply.kind === "stream")?.text).toBe(
      "Copy the file.\n\nSources: docs/guide.md › Guide › Backups",
    );

    const support = personas.get("support");
    if (support === undefined) throw new Error("support did not load");
    // In the text only, and matched through porter stemming ("colours" in the text, "colour" asked).
    const { passages } = await knowledge.retrieve(support, "colour", 4);
    expect(passages.map((passage) => passage.heading)).toEqual(["Guide › Colours"]);
  });

  it("indexes an HTML document by its headings, without its navigation or scripts", async () => {
    await world.write(
      "docs/faq.html",
      `<html><body><nav><a href="/">Home</a></nav><h1>FAQ</h1><h2>Proxies</h2>
       <p>Set HTTPS_PROXY before npm start to reach Discord through a proxy.</p>
       <script>var proxies = 1;</script></body></html>`,
    );
    const { knowledge, personas } = await world.open();
    const support = personas.get("support");
    if (support === undefined) throw new Error("support did not load");
    const { passages } = await knowledge.retrieve(support, "How do I reach Discord through a proxy?", 4);
    expect(passages[0]).toMatchObject({
      source: "docs/faq.html",
      heading: "FAQ › Proxies",
      text: "Set HTTPS_PROXY before npm start to reach Discord through a proxy.",
    });
    expect((await knowledge.retrieve(support, "Home", 4)).passages).toEqual([]);
  });

  it("says which knowledge path is not there, instead of answering without it in silence", async () => {
    await world.write("personas/lost.md", "---\nknowledge: [../nowhere]\n---\nYou know nothing.\n");
    const { knowledge, personas } = await world.open();
    const lost = personas.get("lost");
    if (lost === undefined) throw new Error("lost did not load");
    expect((await knowledge.retrieve(lost, "anything at all?", 4)).passages).toEqual([]);
    const missing = world.logger.lines.filter((line) =>
      line.message.startsWith("knowledge file or folder not found"),
    );
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ level: "warn" });
    expect(String(missing[0]?.fields.root)).toMatch(/nowhere$/);
  });

  it("/sources shows what the last answer in the conversation drew on", async () => {
    const { bot } = await world.open();
    const before = createRecordingSink();
    await bot.runCommand("sources", {}, message("/sources"), before);
    expect(before.transcript()).toContain("drew on no documents");

    await bot.handleMessage(message("Which Node version does troupe need?"), createRecordingSink());
    const after = createRecordingSink();
    await bot.handleMessage(message("sources"), after);
    expect(after.transcript()).toContain("The last answer (`support`) drew on:");
    expect(after.transcript()).toContain("1. **docs/guide.md › Guide › Installing** (score ");
    expect(after.transcript()).toContain("> Run npm install and then npm start.");
  });

  it("a persona never sees another persona's documents", async () => {
    const { knowledge, personas } = await world.open({ embedModel: "nomic-embed-text" });
    const support = personas.get("support");
    const rocketeer = personas.get("rocketeer");
    if (support === undefined || rocketeer === undefined) throw new Error("personas did not load");

    const supportHits = await knowledge.search(support, "What is the launch code for the moon rocket?", 10);
    expect(supportHits.map((hit) => hit.source)).not.toContain("codes.md");
    expect(supportHits.every((hit) => !hit.text.includes("4242"))).toBe(true);
    const rocketHits = await knowledge.search(rocketeer, "What is the launch code for the moon rocket?", 10);
    expect(rocketHits[0]).toMatchObject({ source: "codes.md", heading: "Rockets › Launch codes" });
    expect(rocketHits.every((hit) => hit.source === "codes.md")).toBe(true);
  });

  it("re-indexes a changed file and forgets a removed one while running", async () => {
    const { knowledge, personas } = await world.open({ embedModel: "nomic-embed-text", watch: true });
    const support = personas.get("support");
    if (support === undefined) throw new Error("support did not load");
    // With vectors, the nearest passages come back whatever they say: the point is which ones.
    const headings = async () =>
      (await knowledge.search(support, "zeppelin hangar", 5)).map((hit) => hit.heading);
    expect(await headings()).not.toContain("Guide › Zeppelins");

    await world.write("docs/guide.md", `${GUIDE}\n## Zeppelins\n\nThe zeppelin hangar is behind the barn.\n`);
    await vi.waitFor(
      async () => {
        const hits = await knowledge.search(support, "zeppelin hangar", 5);
        expect(hits[0]).toMatchObject({ source: "docs/guide.md", heading: "Guide › Zeppelins" });
      },
      { timeout: 5_000, interval: 50 },
    );

    await world.write("docs/more/extra.md", "# Extra\n\nThe walrus sings at dawn.\n");
    await vi.waitFor(
      async () =>
        expect((await knowledge.search(support, "walrus", 5))[0]?.source).toBe("docs/more/extra.md"),
      { timeout: 5_000, interval: 50 },
    );

    await world.remove("docs/guide.md");
    await vi.waitFor(
      async () => {
        const sources = (await knowledge.search(support, "zeppelin hangar", 5)).map((hit) => hit.source);
        expect(sources).toEqual(["docs/more/extra.md"]);
      },
      { timeout: 5_000, interval: 50 },
    );
    const [status] = await knowledge.status([support]);
    expect(status).toMatchObject({ persona: "support", filesOnDisk: 1, indexed: { documents: 1 } });
  });

  it("stops watching a folder once no persona lists it (hot reload), and indexes it again when one does", async () => {
    const { knowledge, personas } = await world.open({ watch: true });
    const support = personas.get("support");
    if (support === undefined) throw new Error("support did not load");
    await knowledge.search(support, "backups", 4);
    const docs = join(world.root, "docs");
    expect(knowledge.watchedRoots()).toContain(docs);

    await world.write("personas/support.md", "You help people run troupe, from memory now.\n");
    await vi.waitFor(() => expect(knowledge.watchedRoots()).not.toContain(docs), { timeout: 5_000 });
    expect(
      world.logger.lines.find((line) => line.message.startsWith("knowledge folder no longer listed"))?.fields,
    ).toMatchObject({ root: docs });

    // Changed while unwatched: picked up when a persona lists the folder again.
    await world.write("docs/guide.md", `${GUIDE}\n## Zeppelins\n\nThe zeppelin hangar is in the cellar.\n`);
    await world.write("personas/support.md", "---\nknowledge: [../docs]\n---\nYou help people run troupe.\n");
    await vi.waitFor(() => expect(personas.get("support")?.knowledge).toEqual(["../docs"]), {
      timeout: 5_000,
    });
    const again = personas.get("support");
    if (again === undefined) throw new Error("support did not reload");
    const { passages } = await knowledge.retrieve(again, "zeppelin hangar", 4);
    expect(passages[0]?.heading).toBe("Guide › Zeppelins");
    expect(knowledge.watchedRoots()).toContain(docs);
  });

  it("keeps a file that did not change unread, and re-indexes one changed while troupe was stopped", async () => {
    const first = await world.open();
    const support = first.personas.get("support");
    if (support === undefined) throw new Error("support did not load");
    await first.knowledge.prepare([support]);
    await first.close();
    world.logger.lines.length = 0;

    await world.write("docs/guide.md", GUIDE.replace("Node 20", "Node 22"));
    const second = await world.open();
    const hits = await second.knowledge.search(support, "Which Node version is needed?", 3);
    expect(hits[0]?.text).toContain("Node 22");
    const indexed = world.logger.lines.find((line) => line.message === "knowledge indexed");
    expect(indexed?.fields).toMatchObject({ changed: 1, added: 0, removed: 0 });
  });

  it("uses keyword and vector search together when the provider embeds", async () => {
    const { knowledge, personas } = await world.open({ embedModel: "nomic-embed-text" });
    const support = personas.get("support");
    if (support === undefined) throw new Error("support did not load");
    const [best] = await knowledge.search(support, "turn colours off", 3);
    expect(best).toMatchObject({ heading: "Guide › Colours", keywordRank: 1, vectorRank: 1 });
    expect(world.ollama.requests.some((request) => request.path === "/api/embed")).toBe(true);
    expect(
      world.logger.lines.filter((line) => line.message.startsWith("knowledge: keyword and vector")),
    ).toHaveLength(1);
  });

  it("rebuilds the index when EMBED_MODEL changes", async () => {
    await world.close();
    world = await createKnowledgeWorld({ embeddingModels: ["nomic-embed-text", "mxbai-embed-large"] });
    await writePersonas();
    const first = await world.open({ embedModel: "nomic-embed-text" });
    const support = first.personas.get("support");
    if (support === undefined) throw new Error("support did not load");
    await first.knowledge.prepare([support]);
    await first.close();

    const second = await world.open({ embedModel: "mxbai-embed-large" });
    const rebuilt = world.logger.lines.filter((line) => line.message.startsWith("knowledge index rebuilt"));
    expect(rebuilt).toHaveLength(1);
    expect(rebuilt[0]?.fields).toMatchObject({ from: "nomic-embed-text", to: "mxbai-embed-large" });
    const [best] = await second.knowledge.search(support, "turn colours off", 3);
    expect(best).toMatchObject({ heading: "Guide › Colours", vectorRank: 1 });
    const embedModels = world.ollama.requests
      .filter((request) => request.path === "/api/embed")
      .map((request) => (request.body as { model: string }).model);
    expect(embedModels.at(-1)).toBe("mxbai-embed-large");
  });
});

describe("knowledge without an embedding model", () => {
  beforeEach(async () => {
    world = await createKnowledgeWorld({ embeddingModels: [] });
    await writePersonas();
  });
  afterEach(() => world.close());

  it("falls back to keyword search, said in one log line, and still answers from the documents", async () => {
    const { bot } = await world.open({ embedModel: "nomic-embed-text" });
    const fallback = world.logger.lines.filter((line) => line.message.includes("keyword search only"));
    expect(fallback).toHaveLength(1);
    expect(fallback[0]).toMatchObject({
      level: "warn",
      fields: { embedModel: "nomic-embed-text", unsupported: true },
    });

    const sink = createRecordingSink();
    await bot.handleMessage(message("How do I back up the conversation store?"), sink);
    expect(sink.replies.find((reply) => reply.kind === "stream")?.text).toContain(
      "Sources: docs/guide.md › Guide › Backups",
    );
    expect(world.ollama.requests.filter((request) => request.path === "/api/embed")).toHaveLength(1);
    expect(world.logger.lines.filter((line) => line.message.includes("keyword search only"))).toHaveLength(1);
  });

  it("says so once when EMBED_MODEL is not set", async () => {
    await world.open();
    const lines = world.logger.lines.filter((line) => line.message.includes("keyword search only"));
    expect(lines.map((line) => line.message)).toEqual([
      "knowledge: keyword search only (EMBED_MODEL is not set)",
    ]);
  });
});
