/**
 * Bringing one root (a file or folder from `knowledge:`) up to date in the index, incrementally: a
 * file whose size and modification time are unchanged is skipped unread; a changed time with the
 * same content (sha-256) only moves the recorded time; new or changed content is chunked, embedded
 * and written in one transaction; a file no longer there is forgotten. One file failing (unreadable,
 * the embedding server down) keeps its previous passages and is tried again on the next change.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename, sep } from "node:path";
import type { Logger } from "../lib/logger.js";
import type { Embedder } from "../model/embedder.js";
import { chunkDocument, documentKind, type Passage } from "./chunk-document.js";
import { listRoot } from "./knowledge-files.js";
import type { KnowledgeIndex } from "./knowledge-index.js";

/** Texts per embedding request: large enough to amortise the round trip, small enough for any server. */
const EMBED_BATCH = 32;

export interface SyncCounts {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  failed: number;
  passages: number;
}

export async function syncRoot(
  index: KnowledgeIndex,
  embedder: Embedder | undefined,
  root: string,
  logger: Logger,
): Promise<SyncCounts> {
  const counts: SyncCounts = { added: 0, changed: 0, removed: 0, unchanged: 0, failed: 0, passages: 0 };
  const listing = await listRoot(root);
  // Said, not silent: a persona whose documents are not there answers without them.
  if (listing.missing)
    logger.warn(
      { root },
      "knowledge file or folder not found: the personas listing it answer without it; fix the path in their knowledge: list (relative to the persona file)",
    );
  for (const path of listing.tooBig) logger.warn({ path }, "knowledge file left out: larger than 8 MB");
  const stored = new Map(
    (await index.documentsUnder(root, sep)).map((document) => [document.path, document]),
  );
  for (const file of listing.files) {
    const before = stored.get(file.path);
    stored.delete(file.path);
    if (before !== undefined && before.size === file.size && before.mtimeMs === file.mtimeMs) {
      counts.unchanged++;
      continue;
    }
    try {
      const bytes = await readFile(file.path);
      const hash = createHash("sha256").update(bytes).digest("hex");
      if (before !== undefined && before.hash === hash) {
        await index.touchDocument(file);
        counts.unchanged++;
        continue;
      }
      const kind = documentKind(file.path) ?? "text";
      const passages = await chunkDocument(bytes.toString("utf8"), kind);
      const vectors = embedder === undefined ? undefined : await embedAll(embedder, passages, file.path);
      await index.replaceDocument(file, hash, passages, vectors);
      counts.passages += passages.length;
      if (before === undefined) counts.added++;
      else counts.changed++;
    } catch (error) {
      counts.failed++;
      logger.warn({ err: error, path: file.path }, "knowledge file not indexed: its previous passages stay");
    }
  }
  // What is left was indexed under this root and is gone from it.
  for (const path of stored.keys()) {
    await index.removeDocument(path);
    counts.removed++;
  }
  return counts;
}

/** The text a passage is embedded as: its file and heading say what it is about as much as its words. */
export function embeddingText(passage: Passage, path: string): string {
  return [basename(path), passage.heading, passage.text]
    .filter((part) => part !== undefined && part !== "")
    .join("\n");
}

async function embedAll(
  embedder: Embedder,
  passages: readonly Passage[],
  path: string,
): Promise<Float32Array[]> {
  const vectors: Float32Array[] = [];
  for (let start = 0; start < passages.length; start += EMBED_BATCH) {
    const batch = passages.slice(start, start + EMBED_BATCH).map((passage) => embeddingText(passage, path));
    vectors.push(...(await embedder.embed(batch)));
  }
  return vectors;
}
