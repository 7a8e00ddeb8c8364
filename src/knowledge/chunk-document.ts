/**
 * A document → passages, split where a reader would: at headings, then at paragraphs. Each passage
 * keeps the path of headings above it (`Configuration › Model`), so a search for a section's
 * subject finds its paragraphs and an answer can cite the section. Paragraphs of one section join
 * until a passage is about TARGET_CHARS (a passage that fits one idea ranks better than a whole
 * chapter and costs the prompt less); a code fence is never split at its blank lines, and one
 * paragraph longer than MAX_CHARS is cut at line or sentence ends.
 *
 * Built in, line by line, rather than through a Markdown parser: only headings, fences and blank
 * lines matter here, and the passage text stays the author's own Markdown, which models read well.
 */
export interface Passage {
  /** Headings above the passage, outermost first, joined with " › "; undefined before the first. */
  heading?: string;
  text: string;
}

export type DocumentKind = "markdown" | "text" | "html";

export const TARGET_CHARS = 900;
export const MAX_CHARS = 1_800;

const ATX_HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function documentKind(fileName: string): DocumentKind | undefined {
  const lower = fileName.toLowerCase();
  if (/\.(md|markdown|mdx)$/.test(lower)) return "markdown";
  if (/\.txt$/.test(lower)) return "text";
  if (/\.html?$/.test(lower)) return "html";
  return undefined;
}

export async function chunkDocument(text: string, kind: DocumentKind): Promise<Passage[]> {
  const normalized = text.replace(/\r\n?/g, "\n");
  if (kind === "html") {
    // html-to-text and its HTML parser (200 KB, and a compile of its options) load with the first
    // HTML document, not at start-up: most knowledge is Markdown.
    const { htmlToMarkdown } = await import("./html-text.js");
    return chunkMarkdown(htmlToMarkdown(normalized));
  }
  if (kind === "text") return packSection(undefined, paragraphs(normalized.split("\n"), false));
  return chunkMarkdown(stripFrontMatter(normalized));
}

function stripFrontMatter(text: string): string {
  if (!text.startsWith("---\n")) return text;
  const end = text.indexOf("\n---\n", 4);
  return end === -1 ? text : text.slice(end + 5);
}

function chunkMarkdown(text: string): Passage[] {
  const passages: Passage[] = [];
  const headings: string[] = [];
  let section: string[] = [];
  let inFence: string | undefined;
  const flush = () => {
    const heading = headings.filter((title) => title !== "").join(" › ") || undefined;
    passages.push(...packSection(heading, paragraphs(section, true)));
    section = [];
  };
  for (const line of text.split("\n")) {
    const fence = FENCE.exec(line)?.[1];
    if (inFence !== undefined) {
      if (fence !== undefined && fence[0] === inFence[0] && fence.length >= inFence.length)
        inFence = undefined;
      section.push(line);
      continue;
    }
    if (fence !== undefined) {
      inFence = fence;
      section.push(line);
      continue;
    }
    const heading = ATX_HEADING.exec(line);
    if (heading?.[1] !== undefined) {
      flush();
      const level = heading[1].length;
      headings.length = Math.min(headings.length, level - 1);
      while (headings.length < level - 1) headings.push("");
      headings.push(plainHeading(heading[2] ?? ""));
      continue;
    }
    section.push(line);
  }
  flush();
  return passages;
}

/** `[Setup](#setup) \`npm\` **now**` → `Setup npm now`: what a reader sees of a heading. */
function plainHeading(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[`*_]/g, "")
    .trim();
}

/** Lines → paragraphs at blank lines; with `fences`, a fenced block stays one paragraph. */
function paragraphs(lines: readonly string[], fences: boolean): string[] {
  const result: string[] = [];
  let current: string[] = [];
  let inFence: string | undefined;
  const end = () => {
    const text = current.join("\n").trim();
    if (text !== "") result.push(text);
    current = [];
  };
  for (const line of lines) {
    const fence = fences ? FENCE.exec(line)?.[1] : undefined;
    if (inFence !== undefined) {
      current.push(line);
      if (fence !== undefined && fence[0] === inFence[0] && fence.length >= inFence.length)
        inFence = undefined;
      continue;
    }
    if (fence !== undefined) inFence = fence;
    if (line.trim() === "" && inFence === undefined) end();
    else current.push(line);
  }
  end();
  return result;
}

/** One section's paragraphs → passages of about TARGET_CHARS, none above MAX_CHARS. */
function packSection(heading: string | undefined, parts: readonly string[]): Passage[] {
  const passages: Passage[] = [];
  let current = "";
  const emit = () => {
    if (current !== "") passages.push(heading === undefined ? { text: current } : { heading, text: current });
    current = "";
  };
  for (const part of parts.flatMap(splitLong)) {
    if (current !== "" && current.length + part.length + 2 > TARGET_CHARS) emit();
    current = current === "" ? part : `${current}\n\n${part}`;
  }
  emit();
  // A heading with no text under it still names a section: it is found by its title.
  if (passages.length === 0 && heading !== undefined && parts.length > 0)
    passages.push({ heading, text: "" });
  return passages;
}

/** A paragraph over MAX_CHARS → pieces cut at line ends, else sentence ends, else hard. */
function splitLong(paragraph: string): string[] {
  if (paragraph.length <= MAX_CHARS) return [paragraph];
  const pieces: string[] = [];
  let rest = paragraph;
  while (rest.length > MAX_CHARS) {
    const window = rest.slice(0, MAX_CHARS);
    const cut = Math.max(window.lastIndexOf("\n"), window.lastIndexOf(". ") + 1);
    const at = cut > MAX_CHARS / 3 ? cut : MAX_CHARS;
    pieces.push(rest.slice(0, at).trim());
    rest = rest.slice(at).trim();
  }
  if (rest !== "") pieces.push(rest);
  return pieces;
}
