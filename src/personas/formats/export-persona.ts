/**
 * `persona export NAME --format card-v3|eliza|modelfile`: finds the persona's file in PERSONAS_DIR
 * (read as the loader reads it: a regular file in the folder, capped), and writes it in that
 * format. A card written to a `.png` carries the card twice (`ccv3`, and `chara` as V2 for older
 * readers) in the persona's avatar when that is a PNG in the folder, else in a plain placeholder.
 */
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Persona } from "../../core/persona.js";
import { PersonaFileError } from "../parser/persona-parser.js";
import { inspectPersonaEntry } from "../persona-entry.js";
import { listPersonaFileNames } from "../persona-files.js";
import { readCapped } from "../read-capped.js";
import { CharacterImportError } from "./character-import-error.js";
import { personaToEliza } from "./eliza-mapping.js";
import { type PersonaDraft, readPersonaDraft } from "./persona-draft.js";
import { writeFilesAtomically } from "./persona-file-writer.js";
import { cardV2Of, personaToCard } from "./persona-to-card.js";
import { personaToModelfile } from "./persona-to-modelfile.js";
import { isPng, placeholderPng, withCardChunks } from "./png-card.js";

export const EXPORT_FORMATS = ["card-v3", "eliza", "modelfile"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  name: string;
  format: ExportFormat;
  personasDir: string;
  personaMaxKb: number;
  /** MODEL: the Modelfile's FROM. */
  baseModel: string;
  out?: string;
}

export interface ExportResult {
  path: string;
  /** The avatar was not a PNG in the folder: the card's image is a placeholder. */
  placeholderImage?: boolean;
}

export async function exportPersona(options: ExportOptions): Promise<ExportResult> {
  const found = await findPersona(options.personasDir, options.name, options.personaMaxKb);
  const { persona, draft } = found;
  const out = options.out ?? defaultOutPath(persona.name, options.format);
  if (options.format === "modelfile") {
    const adapter = draft.frontMatter.adapter;
    const adapterPath =
      adapter !== undefined && /\.gguf$/i.test(adapter) ? resolve(options.personasDir, adapter) : undefined;
    const text = personaToModelfile(persona, {
      baseModel: options.baseModel,
      ...(adapterPath === undefined ? {} : { adapterPath }),
    });
    await writeFilesAtomically([{ path: out, data: text }], { force: true });
    return { path: out };
  }
  if (options.format === "eliza") {
    await writeFilesAtomically([{ path: out, data: json(personaToEliza(persona, draft)) }], { force: true });
    return { path: out };
  }
  const card = personaToCard(persona, draft);
  if (!/\.png$/i.test(out)) {
    await writeFilesAtomically([{ path: out, data: json(card) }], { force: true });
    return { path: out };
  }
  const avatar = await avatarPng(options.personasDir, persona.avatar);
  const png = withCardChunks(avatar ?? placeholderPng(), [
    { keyword: "chara", json: JSON.stringify(cardV2Of(card)) },
    { keyword: "ccv3", json: JSON.stringify(card) },
  ]);
  await writeFilesAtomically([{ path: out, data: png }], { force: true });
  return avatar === undefined ? { path: out, placeholderImage: true } : { path: out };
}

export function defaultOutPath(name: string, format: ExportFormat): string {
  if (format === "modelfile") return `${name}.Modelfile`;
  return format === "eliza" ? `${name}.character.json` : `${name}.card.json`;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The persona called `name`: its file is usually `<name>.md`, but `name:` may say otherwise. */
async function findPersona(
  dir: string,
  name: string,
  maxKb: number,
): Promise<{ persona: Persona; draft: PersonaDraft }> {
  const fileNames = await listPersonaFileNames(dir).catch((error: NodeJS.ErrnoException) => {
    throw new CharacterImportError(dir, `cannot read the personas folder (${error.code ?? error.message})`);
  });
  const preferred = `${name}.md`;
  const ordered = [
    ...fileNames.filter((file) => file === preferred),
    ...fileNames.filter((file) => file !== preferred),
  ];
  for (const fileName of ordered) {
    const entry = await inspectPersonaEntry(dir, fileName);
    if (entry.kind !== "file") continue;
    const read = await readCapped(entry.path, entry.stats, maxKb * 1024);
    if (read.kind !== "text") continue;
    try {
      const found = readPersonaDraft(read.text, { path: join(dir, fileName), fileName });
      if (found.persona.name === name) return found;
    } catch (error) {
      if (!(error instanceof PersonaFileError)) throw error;
      if (fileName === preferred)
        throw new CharacterImportError(join(dir, fileName), `does not load:\n${error.message}`);
      // Another broken file may be the one: the loader skips it too, so the search goes on.
    }
  }
  throw new CharacterImportError(dir, `has no persona called "${name}"`);
}

const AVATAR_MAX_BYTES = 32 * 1024 * 1024;

/** The avatar's bytes when it is a PNG file in (or below) the personas folder. */
async function avatarPng(dir: string, avatar: string | undefined): Promise<Uint8Array | undefined> {
  if (avatar === undefined || /^[a-z][a-z0-9+.-]*:/i.test(avatar)) return undefined;
  const folder = resolve(dir);
  const path = resolve(folder, avatar);
  // Only a picture inside the personas folder goes into a card someone may share.
  if (relative(folder, path).startsWith("..") || isAbsolute(relative(folder, path))) return undefined;
  try {
    if ((await stat(path)).size > AVATAR_MAX_BYTES) return undefined;
    const bytes = await readFile(path);
    return isPng(bytes) ? bytes : undefined;
  } catch {
    return undefined;
  }
}
