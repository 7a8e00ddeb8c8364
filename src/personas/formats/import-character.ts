/**
 * `persona import FILE`: a character file → `PERSONAS_DIR/<name>.md` (+ `avatars/<name>.<ext>`).
 * The file is read once and capped, checked, mapped, rendered, and the persona it makes is parsed
 * with the loader's own parser before anything is written, so what lands in the folder loads; the
 * writes are all or nothing (persona-file-writer.ts).
 */
import { realpath, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { PersonaFileError, parsePersonaFile } from "../parser/persona-parser.js";
import { AVATARS_DIR_NAME } from "../persona-avatar.js";
import { readCappedBytes } from "../read-capped.js";
import { cardToPersona } from "./card-to-persona.js";
import { type CharacterAvatar, readCharacterFile } from "./character-file.js";
import { CharacterImportError } from "./character-import-error.js";
import { elizaToPersona } from "./eliza-mapping.js";
import { type PersonaDraft, renderPersonaFile } from "./persona-draft.js";
import { type FileToWrite, writeFilesAtomically } from "./persona-file-writer.js";
import { personaNameFor } from "./persona-name.js";

/** A card PNG with its art is a few MB, a CHARX with assets a few tens: far above that is not a card. */
export const CHARACTER_FILE_MAX_BYTES = 32 * 1024 * 1024;

export interface ImportOptions {
  file: string;
  personasDir: string;
  force: boolean;
  /** PERSONA_MAX_KB: the persona written must load. */
  personaMaxKb: number;
  maxInputBytes?: number;
}

export interface ImportResult {
  personaPath: string;
  avatarPath?: string;
  /** Things the person should know: what was left out. */
  notes: string[];
}

export async function importCharacter(options: ImportOptions): Promise<ImportResult> {
  const { file } = options;
  const bytes = await readInput(file, options.maxInputBytes ?? CHARACTER_FILE_MAX_BYTES);
  const character = readCharacterFile(bytes, file, options.maxInputBytes ?? CHARACTER_FILE_MAX_BYTES);
  const fallbackName = personaNameFor(basename(file, extname(file)));
  const notes: string[] = [];
  let draft: PersonaDraft;
  let avatar: CharacterAvatar | undefined;
  if (character.kind === "card") {
    draft = cardToPersona(character.card, file, fallbackName);
    avatar = character.avatar;
  } else {
    const imported = elizaToPersona(character.character, file, fallbackName);
    draft = imported.draft;
    if (imported.droppedSecrets)
      notes.push("its secrets were not imported: put API keys in .env, not in a persona file");
  }
  const name = draft.frontMatter.name ?? "";
  const files: FileToWrite[] = [];
  let avatarPath: string | undefined;
  // A web address an earlier troupe export carried wins: it is what the persona showed.
  if (draft.frontMatter.avatar === undefined && avatar !== undefined) {
    if (avatar.kind === "url") {
      draft.frontMatter.avatar = avatar.url;
    } else {
      const extension = imageExtension(avatar.bytes);
      if (extension === undefined) {
        notes.push("its image is not a PNG, JPEG, WebP or GIF: no avatar was saved");
      } else {
        const relative = `${AVATARS_DIR_NAME}/${name}.${extension}`;
        avatarPath = join(options.personasDir, relative);
        draft.frontMatter.avatar = relative;
        files.push({ path: avatarPath, data: avatar.bytes });
      }
    }
  }
  const fileName = `${name}.md`;
  const personaPath = join(options.personasDir, fileName);
  const text = renderPersonaFile(draft);
  checkLoads(text, personaPath, fileName, file, options.personaMaxKb);
  files.push({ path: personaPath, data: text });
  await writeFilesAtomically(files, { force: options.force });
  return avatarPath === undefined ? { personaPath, notes } : { personaPath, avatarPath, notes };
}

async function readInput(file: string, maxBytes: number): Promise<Uint8Array> {
  let path: string;
  try {
    path = await realpath(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CharacterImportError(
      file,
      code === "ENOENT" ? "no such file" : `cannot be read (${code ?? "error"})`,
    );
  }
  const stats = await stat(path);
  if (!stats.isFile()) throw new CharacterImportError(file, "not a regular file");
  const read = await readCappedBytes(path, stats, maxBytes);
  if (read.kind === "too-big") {
    const size = read.bytes === undefined ? "more than that" : `${read.bytes} bytes`;
    throw new CharacterImportError(
      file,
      `too big to be a character card (${size}; the limit is ${maxBytes} bytes)`,
    );
  }
  if (read.kind === "replaced")
    throw new CharacterImportError(file, "it was replaced while being read: try again");
  return read.bytes;
}

/** The loader's own checks: what is written will load (or nothing is written). */
function checkLoads(text: string, path: string, fileName: string, file: string, maxKb: number): void {
  const bytes = Buffer.byteLength(text);
  if (bytes > maxKb * 1024) {
    throw new CharacterImportError(
      file,
      `the persona it makes is ${Math.ceil(bytes / 1024)} KB, over PERSONA_MAX_KB=${maxKb}: raise PERSONA_MAX_KB to import it`,
    );
  }
  try {
    parsePersonaFile(text, { path, fileName });
  } catch (error) {
    if (!(error instanceof PersonaFileError)) throw error;
    throw new CharacterImportError(file, `the persona it makes would not load:\n${error.message}`);
  }
}

function imageExtension(bytes: Uint8Array): string | undefined {
  const starts = (...prefix: number[]) => prefix.every((byte, index) => bytes[index] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return "png";
  if (starts(0xff, 0xd8, 0xff)) return "jpg";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "gif";
  if (starts(0x52, 0x49, 0x46, 0x46) && Buffer.from(bytes.subarray(8, 12)).toString("latin1") === "WEBP")
    return "webp";
  return undefined;
}
