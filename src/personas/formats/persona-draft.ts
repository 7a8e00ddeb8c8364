/**
 * A persona as a file holds it: the front matter's values as written (not the parsed Persona, whose
 * defaults are filled in) and the body. Import builds one and writes it as text; export reads one
 * from a persona file, so what a card carried comes back exactly as the file keeps it.
 */
import { isMap, parseDocument, stringify } from "yaml";
import type { Persona } from "../../core/persona.js";
import { normalizePersonaText, splitPersonaFile } from "../parser/persona-front-matter.js";
import { parsePersonaFile, trimTextFields } from "../parser/persona-parser.js";
import { type PersonaFrontMatter, personaFrontMatterSchema } from "../parser/persona-schema.js";

export interface PersonaDraft {
  frontMatter: PersonaFrontMatter;
  body: string;
}

/** The order fields are written in: the order persona writers read them in personas/README.md. */
const FIELD_ORDER = Object.keys(personaFrontMatterSchema.shape) as (keyof PersonaFrontMatter)[];

export function renderPersonaFile(draft: PersonaDraft): string {
  const ordered: Record<string, unknown> = {};
  for (const field of FIELD_ORDER) {
    const value = draft.frontMatter[field];
    if (value !== undefined) ordered[field] = value;
  }
  // lineWidth 0: long prompts stay on one line each instead of being folded where YAML likes.
  const yaml = stringify(ordered, { lineWidth: 0, aliasDuplicateObjects: false });
  return `---\n${yaml}---\n${draft.body.trim()}\n`;
}

/**
 * A persona file's text → the persona troupe would load and the draft it was written from. Throws
 * the parser's PersonaFileError when the file would not load.
 */
export function readPersonaDraft(
  text: string,
  source: { path: string; fileName: string },
): { persona: Persona; draft: PersonaDraft } {
  const { persona } = parsePersonaFile(text, source);
  const parts = splitPersonaFile(normalizePersonaText(text));
  if ("reason" in parts) throw new Error(`unreachable: ${source.path} parsed but does not split`);
  const document = parseDocument(parts.frontMatter ?? "");
  const values = isMap(document.contents) ? document.toJS() : {};
  const frontMatter = personaFrontMatterSchema.parse(trimTextFields(values));
  return { persona, draft: { frontMatter, body: parts.body.trim() } };
}
