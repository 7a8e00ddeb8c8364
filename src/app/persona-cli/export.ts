/**
 * `npm run persona -- export NAME --format card-v3|eliza|modelfile [--out FILE]`: a persona in
 * PERSONAS_DIR written in another format. Prints the path written.
 */
import { parseArgs } from "node:util";
import { CharacterImportError } from "../../personas/formats/character-import-error.js";
import { EXPORT_FORMATS, type ExportFormat, exportPersona } from "../../personas/formats/export-persona.js";
import type { PersonaCliIo } from "./persona-cli-io.js";

export const EXPORT_USAGE = `usage: npm run persona -- export NAME --format ${EXPORT_FORMATS.join("|")} [--out FILE]`;

function isFormat(value: string | undefined): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value ?? "");
}

export async function run(argv: readonly string[], io: PersonaCliIo): Promise<number> {
  let name: string | undefined;
  let format: ExportFormat;
  let out: string | undefined;
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        format: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (parsed.values.help) {
      io.stdout(
        `${EXPORT_USAGE}\nA card written to a .png --out carries the card in the persona's avatar image.\n`,
      );
      return 0;
    }
    if (parsed.positionals.length !== 1) throw new Error("give exactly one persona NAME");
    if (!isFormat(parsed.values.format)) {
      throw new Error(`--format must be one of ${EXPORT_FORMATS.join(", ")}`);
    }
    name = parsed.positionals[0];
    format = parsed.values.format;
    out = parsed.values.out;
  } catch (error) {
    io.stderr(`persona export: ${(error as Error).message}\n${EXPORT_USAGE}\n`);
    return 2;
  }
  if (name === undefined) return 2;
  const config = io.config();
  try {
    const result = await exportPersona({
      name,
      format,
      personasDir: config.PERSONAS_DIR,
      personaMaxKb: config.PERSONA_MAX_KB,
      baseModel: config.MODEL,
      ...(out === undefined ? {} : { out }),
    });
    io.stdout(`${result.path}\n`);
    if (result.placeholderImage) {
      io.stderr(
        "persona export: note: the persona's avatar is not a PNG file in PERSONAS_DIR: the card's image is a placeholder\n",
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof CharacterImportError) {
      io.stderr(`persona export: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
