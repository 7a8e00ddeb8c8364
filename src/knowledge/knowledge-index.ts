/**
 * The knowledge index: one SQLite file holding every persona's documents once (several personas
 * may share a folder), their passages, an FTS5 table for keyword search and a sqlite-vec vec0 table
 * for vectors. A search is always limited to the documents of the asking persona (document ids
 * passed in), so one persona never sees another's.
 *
 * The index records which embedding model made its vectors ("" for keyword only); opened with
 * another, it starts empty and is rebuilt, since vectors of two models cannot be compared. The
 * vector table is created with the first vector, when its dimension is known.
 */
import type { Passage } from "./chunk-document.js";
import type { DocumentFile } from "./knowledge-files.js";
import { openSqliteConnection, type SqliteConnection } from "./sqlite-connection.js";

export interface StoredDocument {
  id: number;
  path: string;
  hash: string;
  size: number;
  mtimeMs: number;
  /** When its passages were last written (ms since the epoch). */
  indexedAt: number;
}

export interface PassageHit {
  passageId: number;
  documentPath: string;
  heading?: string;
  text: string;
  /** Keyword hits: SQLite's BM25 (lower is better; negative for any match). */
  bm25?: number;
  /** Keyword hits: how many of the question's distinct content terms the passage holds (heading or text). */
  matchedTerms?: number;
  /** Keyword hits: how many distinct content terms the question has. */
  questionTerms?: number;
  /** Vector hits: cosine distance to the question (0 same direction, 1 unrelated, 2 opposite). */
  distance?: number;
}

export interface IndexCounts {
  documents: number;
  passages: number;
  /** The newest indexing among them, or undefined when there are none. */
  lastIndexedAt?: number;
}

export interface OpenedIndex {
  index: KnowledgeIndex;
  /** The index was made by another embedding model (or none) and was emptied to be rebuilt. */
  rebuilt: { from: string; to: string } | undefined;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS knowledge_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS knowledge_documents (
  id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, hash TEXT NOT NULL, size INTEGER NOT NULL,
  mtime_ms REAL NOT NULL, indexed_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS knowledge_passages (
  id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL, ordinal INTEGER NOT NULL,
  heading TEXT, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS knowledge_passages_document ON knowledge_passages (document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_fts USING fts5(heading, text, tokenize = 'porter unicode61');
`;

/** Words too common to say anything about which passage answers a question. */
const STOPWORDS = new Set(
  "a an and are as at be by can do does for from how i if in is it its me my of on or so that the this to was what when where which who why will with you your".split(
    " ",
  ),
);

/** The question's distinct content terms: its words less stopwords and single letters, at most 32. */
export function questionTerms(question: string): string[] {
  const words = question.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  return [...new Set(words.filter((word) => word.length > 1 && !STOPWORDS.has(word)))].slice(0, 32);
}

/** Terms as an FTS5 query: each quoted (no operator injection), any of them. */
export function ftsQuery(terms: readonly string[]): string | undefined {
  return terms.length === 0 ? undefined : terms.map((word) => `"${word}"`).join(" OR ");
}

/** Passages per multi-row INSERT: 5 parameters each stays far below SQLite's 32,766. */
const ROWS_PER_INSERT = 500;

function vectorBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** Integers from our own table, inlined: a persona may have more documents than SQLite has parameters. */
function idList(ids: readonly number[]): string {
  return ids.map((id) => Math.trunc(id)).join(",");
}

export class KnowledgeIndex {
  /** Writes run one after another: each is a transaction on the one connection. */
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: SqliteConnection,
    /** The embedding model the vectors come from; "" for keyword only. */
    readonly model: string,
    private dimensions: number | undefined,
  ) {}

  static async open(path: string, model: string | undefined): Promise<OpenedIndex> {
    const db = await openSqliteConnection(path);
    await db.exec(SCHEMA);
    const wanted = model ?? "";
    const recorded = await db.get<{ value: string }>("SELECT value FROM knowledge_meta WHERE key = 'model'");
    const dims = await db.get<{ value: string }>("SELECT value FROM knowledge_meta WHERE key = 'dimensions'");
    let rebuilt: OpenedIndex["rebuilt"];
    let dimensions = dims === undefined ? undefined : Number(dims.value);
    if (recorded !== undefined && recorded.value !== wanted) {
      rebuilt = { from: recorded.value, to: wanted };
      await db.exec(`BEGIN IMMEDIATE;
        DELETE FROM knowledge_documents; DELETE FROM knowledge_passages; DELETE FROM knowledge_fts;
        DROP TABLE IF EXISTS knowledge_vec; DELETE FROM knowledge_meta WHERE key = 'dimensions';
        COMMIT;`);
      dimensions = undefined;
    }
    await db.run("INSERT OR REPLACE INTO knowledge_meta (key, value) VALUES ('model', ?)", [wanted]);
    return { index: new KnowledgeIndex(db, wanted, dimensions), rebuilt };
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.writing.then(work);
    this.writing = result.catch(() => undefined);
    return result;
  }

  async documentsUnder(root: string, separator: string): Promise<StoredDocument[]> {
    const prefix = root.endsWith(separator) ? root : root + separator;
    return this.db.all<StoredDocument>(
      `SELECT id, path, hash, size, mtime_ms AS mtimeMs, indexed_at AS indexedAt FROM knowledge_documents
       WHERE path = ? OR substr(path, 1, ?) = ? ORDER BY path`,
      [root, prefix.length, prefix],
    );
  }

  /** Writes a document's passages (and their vectors) in place of what it had, in one transaction. */
  replaceDocument(
    file: DocumentFile,
    hash: string,
    passages: readonly Passage[],
    vectors: readonly Float32Array[] | undefined,
  ): Promise<void> {
    return this.serially(async () => {
      const first = vectors?.[0];
      if (first !== undefined) await this.ensureVectorTable(first.length);
      await this.db.exec("BEGIN IMMEDIATE");
      try {
        await this.deleteDocumentRows(file.path);
        const { lastID: documentId } = await this.db.run(
          "INSERT INTO knowledge_documents (path, hash, size, mtime_ms, indexed_at) VALUES (?, ?, ?, ?, ?)",
          [file.path, hash, file.size, file.mtimeMs, Date.now()],
        );
        // Ids chosen here (the write lock is held), so each table takes its rows in multi-row
        // INSERTs: one statement per table per batch instead of three round trips per passage.
        const next = await this.db.get<{ id: number }>(
          "SELECT coalesce(max(id), 0) + 1 AS id FROM knowledge_passages",
        );
        const firstId = next?.id ?? 1;
        for (let start = 0; start < passages.length; start += ROWS_PER_INSERT) {
          const batch = passages.slice(start, start + ROWS_PER_INSERT);
          const ids = batch.map((_, offset) => firstId + start + offset);
          const rows = (width: number) =>
            batch.map(() => `(${Array(width).fill("?").join(", ")})`).join(", ");
          await this.db.run(
            `INSERT INTO knowledge_passages (id, document_id, ordinal, heading, text) VALUES ${rows(5)}`,
            batch.flatMap((passage, offset) => [
              ids[offset] ?? 0,
              documentId,
              start + offset,
              passage.heading ?? null,
              passage.text,
            ]),
          );
          await this.db.run(
            `INSERT INTO knowledge_fts (rowid, heading, text) VALUES ${rows(3)}`,
            batch.flatMap((passage, offset) => [ids[offset] ?? 0, passage.heading ?? "", passage.text]),
          );
          const batchVectors = vectors?.slice(start, start + batch.length) ?? [];
          if (batchVectors.length > 0)
            // Plain numbers: node-sqlite3 binds a BigInt as NULL.
            await this.db.run(
              `INSERT INTO knowledge_vec (rowid, document_id, embedding) VALUES ${batchVectors.map(() => "(?, ?, ?)").join(", ")}`,
              batchVectors.flatMap((vector, offset) => [ids[offset] ?? 0, documentId, vectorBlob(vector)]),
            );
        }
        await this.db.exec("COMMIT");
      } catch (error) {
        await this.db.exec("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
  }

  /** The file changed its time but not its content: only the recorded time moves. */
  touchDocument(file: DocumentFile): Promise<void> {
    return this.serially(async () => {
      await this.db.run("UPDATE knowledge_documents SET size = ?, mtime_ms = ? WHERE path = ?", [
        file.size,
        file.mtimeMs,
        file.path,
      ]);
    });
  }

  removeDocument(path: string): Promise<void> {
    return this.serially(async () => {
      await this.db.exec("BEGIN IMMEDIATE");
      try {
        await this.deleteDocumentRows(path);
        await this.db.exec("COMMIT");
      } catch (error) {
        await this.db.exec("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
  }

  private async deleteDocumentRows(path: string): Promise<void> {
    const existing = await this.db.get<{ id: number }>("SELECT id FROM knowledge_documents WHERE path = ?", [
      path,
    ]);
    if (existing === undefined) return;
    const inDocument = "(SELECT id FROM knowledge_passages WHERE document_id = ?)";
    await this.db.run(`DELETE FROM knowledge_fts WHERE rowid IN ${inDocument}`, [existing.id]);
    if (this.dimensions !== undefined)
      await this.db.run(`DELETE FROM knowledge_vec WHERE rowid IN ${inDocument}`, [existing.id]);
    await this.db.run("DELETE FROM knowledge_passages WHERE document_id = ?", [existing.id]);
    await this.db.run("DELETE FROM knowledge_documents WHERE id = ?", [existing.id]);
  }

  private async ensureVectorTable(dimensions: number): Promise<void> {
    if (this.dimensions === dimensions) return;
    if (this.dimensions !== undefined)
      throw new Error(
        `the embedding model gave ${dimensions} dimensions, the index holds ${this.dimensions}`,
      );
    await this.db.exec(
      `CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_vec USING vec0(document_id integer, embedding float[${dimensions}] distance_metric=cosine)`,
    );
    await this.db.run("INSERT OR REPLACE INTO knowledge_meta (key, value) VALUES ('dimensions', ?)", [
      String(dimensions),
    ]);
    this.dimensions = dimensions;
  }

  /** Best keyword matches first (BM25, a heading match counting double). */
  async keywordSearch(
    question: string,
    documentIds: readonly number[],
    limit: number,
  ): Promise<PassageHit[]> {
    const terms = questionTerms(question);
    const query = ftsQuery(terms);
    if (query === undefined || documentIds.length === 0) return [];
    const hits = await this.db.all<PassageHit>(
      `SELECT p.id AS passageId, d.path AS documentPath, p.heading AS heading, p.text AS text,
         bm25(knowledge_fts, 2.0, 1.0) AS bm25
       FROM knowledge_fts f JOIN knowledge_passages p ON p.id = f.rowid JOIN knowledge_documents d ON d.id = p.document_id
       WHERE knowledge_fts MATCH ? AND p.document_id IN (${idList(documentIds)})
       ORDER BY bm25(knowledge_fts, 2.0, 1.0) LIMIT ?`,
      [query, limit],
    );
    if (hits.length === 0) return hits;
    // Which terms each hit holds, asked of FTS5 itself so stemming (porter) is counted as it matched.
    const hitIds = idList(hits.map((hit) => hit.passageId));
    const pairs = await this.db.all<{ rowid: number; term: number }>(
      terms
        .map(
          (_, term) =>
            `SELECT rowid, ${term} AS term FROM knowledge_fts WHERE knowledge_fts MATCH ? AND rowid IN (${hitIds})`,
        )
        .join(" UNION ALL "),
      terms.map((term) => `"${term}"`),
    );
    const matched = new Map<number, number>();
    for (const pair of pairs) matched.set(pair.rowid, (matched.get(pair.rowid) ?? 0) + 1);
    return hits.map((hit) => ({
      ...hit,
      matchedTerms: matched.get(hit.passageId) ?? 0,
      questionTerms: terms.length,
    }));
  }

  /**
   * Nearest passages by cosine distance, among these documents. Two statements: the KNN alone (so
   * nothing can keep sqlite-vec from planning it as one scan), then the passages it named.
   */
  async vectorSearch(
    vector: Float32Array,
    documentIds: readonly number[],
    limit: number,
  ): Promise<PassageHit[]> {
    if (this.dimensions === undefined || documentIds.length === 0) return [];
    const nearest = await this.db.all<{ rowid: number; distance: number }>(
      `SELECT rowid, distance FROM knowledge_vec WHERE embedding MATCH ? AND k = ? AND document_id IN (${idList(documentIds)})
       ORDER BY distance`,
      [vectorBlob(vector), limit],
    );
    if (nearest.length === 0) return [];
    const rows = await this.db.all<PassageHit>(
      `SELECT p.id AS passageId, d.path AS documentPath, p.heading AS heading, p.text AS text
       FROM knowledge_passages p JOIN knowledge_documents d ON d.id = p.document_id
       WHERE p.id IN (${idList(nearest.map((row) => row.rowid))})`,
    );
    const byId = new Map(rows.map((row) => [row.passageId, row]));
    return nearest.flatMap((row) => {
      const hit = byId.get(row.rowid);
      return hit === undefined ? [] : [{ ...hit, distance: row.distance }];
    });
  }

  async counts(documentIds: readonly number[]): Promise<IndexCounts> {
    if (documentIds.length === 0) return { documents: 0, passages: 0 };
    const ids = idList(documentIds);
    const row = await this.db.get<{ documents: number; lastIndexedAt: number | null }>(
      `SELECT count(*) AS documents, max(indexed_at) AS lastIndexedAt FROM knowledge_documents WHERE id IN (${ids})`,
    );
    const passages = await this.db.get<{ passages: number }>(
      `SELECT count(*) AS passages FROM knowledge_passages WHERE document_id IN (${ids})`,
    );
    return {
      documents: row?.documents ?? 0,
      passages: passages?.passages ?? 0,
      ...(row?.lastIndexedAt == null ? {} : { lastIndexedAt: row.lastIndexedAt }),
    };
  }

  close(): Promise<void> {
    return this.serially(() => this.db.close());
  }
}
