/**
 * Writes what `npm run persona -- compile` did into a persona file's front matter: `model:` (the
 * compiled model) and `compiled:` (the hash of what went into it). Pure text in, text out. The YAML
 * is edited through yaml's Document API, so the admin's comments, field order and quoting survive;
 * the body (the system prompt) is left byte for byte as it was. A file without front matter gets one.
 */
import { parseDocument } from "yaml";
import { isSplitProblem, normalizePersonaText, splitPersonaFile } from "./parser/persona-front-matter.js";

export interface CompileRecord {
  model: string;
  compiled: string;
}

/** Throws when the file cannot be split (it would not have parsed, so compile never gets here). */
export function recordCompile(text: string, record: CompileRecord): string {
  const normalized = normalizePersonaText(text);
  const parts = splitPersonaFile(normalized);
  if (isSplitProblem(parts)) throw new Error(`line ${parts.line}: ${parts.reason}`);
  const document = parseDocument(parts.frontMatter ?? "");
  document.set("model", record.model);
  document.set("compiled", record.compiled);
  const yaml = document.toString({ lineWidth: 0, flowCollectionPadding: false });
  const newline = text.includes("\r\n") ? "\r\n" : "\n";
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  const rebuilt = `---\n${yaml}---\n${parts.body}`;
  return bom + (newline === "\n" ? rebuilt : rebuilt.replace(/\n/g, "\r\n"));
}
