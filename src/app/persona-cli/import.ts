/**
 * `npm run persona -- import FILE [--force]`: a Character Card (PNG, CHARX, JSON; V2 or V3) or an
 * elizaOS character → a persona file in PERSONAS_DIR. Prints the path written; on any problem one
 * clear line naming the file, exit 1, and nothing written.
 */
import { parseArgs } from "node:util";
import { CharacterImportError } from "../../personas/formats/character-import-error.js";
import { importCharacter } from "../../personas/formats/import-character.js";
import { FileExistsError } from "../../personas/formats/persona-file-writer.js";
import type { PersonaCliIo } from "./persona-cli-io.js";

export const IMPORT_USAGE = "usage: npm run persona -- import FILE [--force]";

export async function run(argv: readonly string[], io: PersonaCliIo): Promise<number> {
  let file: string | undefined;
  let force: boolean;
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { force: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
    });
    if (parsed.values.help) {
      io.stdout(
        `${IMPORT_USAGE}\nFILE: a Character Card (.png, .charx, .json; V2 or V3) or an elizaOS character (.json)\n`,
      );
      return 0;
    }
    if (parsed.positionals.length !== 1) throw new Error("give exactly one FILE");
    file = parsed.positionals[0];
    force = parsed.values.force ?? false;
  } catch (error) {
    io.stderr(`persona import: ${(error as Error).message}\n${IMPORT_USAGE}\n`);
    return 2;
  }
  if (file === undefined) return 2;
  const config = io.config();
  try {
    const result = await importCharacter({
      file,
      personasDir: config.PERSONAS_DIR,
      force,
      personaMaxKb: config.PERSONA_MAX_KB,
    });
    io.stdout(`${result.personaPath}\n`);
    if (result.avatarPath !== undefined) io.stdout(`${result.avatarPath}\n`);
    for (const note of result.notes) io.stderr(`persona import: note: ${note}\n`);
    return 0;
  } catch (error) {
    if (error instanceof CharacterImportError || error instanceof FileExistsError) {
      io.stderr(`persona import: ${error.message}\nNothing was written.\n`);
      return 1;
    }
    throw error;
  }
}
