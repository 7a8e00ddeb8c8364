/**
 * The personas at start-up: PERSONAS_DIR loaded (and watched) within the persona limits (file size
 * PERSONA_MAX_KB; a fixed prompt that leaves room to converse in CONTEXT_TOKENS), and
 * DEFAULT_PERSONA one of them. A broken persona file is skipped (the directory warns about it and
 * reports it for the terminal chat), unless it is the default persona's: troupe cannot answer
 * without it, so start-up stops naming the file, the line and the fix. So does a folder where no
 * persona loads, and a DEFAULT_PERSONA that names no persona at all.
 */
import type { Config } from "../config.js";
import type { Logger } from "../lib/logger.js";
import {
  loadPersonaDirectory,
  type PersonaDirectory,
  type PersonaRefusal,
} from "../personas/persona-directory.js";
import { refusalLines } from "../personas/persona-file-report.js";
import { FatalError } from "./fatal.js";

export type PersonaSettings = Pick<
  Config,
  "PERSONAS_DIR" | "DEFAULT_PERSONA" | "PERSONA_MAX_KB" | "CONTEXT_TOKENS" | "REPLY_TOKENS"
>;

export async function loadPersonas(settings: PersonaSettings, logger: Logger): Promise<PersonaDirectory> {
  const dir = settings.PERSONAS_DIR;
  const personas = await loadPersonaDirectory(dir, {
    logger,
    maxFileKb: settings.PERSONA_MAX_KB,
    contextTokens: settings.CONTEXT_TOKENS,
    replyTokens: settings.REPLY_TOKENS,
  }).catch((error: unknown) => {
    logger.error({ err: error, dir }, "cannot load the personas");
    const reason = error instanceof Error ? error.message : String(error);
    throw new FatalError(`cannot load the personas in PERSONAS_DIR=${dir}:\n${reason}`, { cause: error });
  });
  if (personas.get(settings.DEFAULT_PERSONA) === undefined) {
    personas.close();
    throw missingDefault(settings, personas, logger);
  }
  return personas;
}

function missingDefault(settings: PersonaSettings, personas: PersonaDirectory, logger: Logger): FatalError {
  const { DEFAULT_PERSONA: wanted, PERSONAS_DIR: dir } = settings;
  const available = personas.list().map((persona) => persona.name);
  const { skipped } = personas.startup;
  const broken = skipped.find((refusal) => personaNameOf(refusal) === wanted);
  if (broken) {
    logger.error(
      { defaultPersona: wanted, file: broken.file, problems: refusalLines(broken) },
      "DEFAULT_PERSONA's file cannot be loaded",
    );
    return new FatalError(
      `DEFAULT_PERSONA=${wanted} is in a persona file that cannot be loaded:\n` +
        `${indented(refusalLines(broken))}\n` +
        `Fix the file and start troupe again, or set DEFAULT_PERSONA to a persona that loaded: ${available.join(", ")}.`,
    );
  }
  logger.error({ defaultPersona: wanted, dir, available }, "DEFAULT_PERSONA is unknown");
  const notLoaded =
    skipped.length === 0
      ? ""
      : `\nNot loaded, for problems (one may be meant as ${wanted}):\n${indented(skipped.flatMap(refusalLines))}`;
  return new FatalError(
    `DEFAULT_PERSONA=${wanted} is not a persona in ${dir}. Available: ${available.join(", ")}.${notLoaded}`,
  );
}

/** The persona a refused file would be: its own `name:` when it parsed, else its file name's. */
function personaNameOf(refusal: PersonaRefusal): string {
  return refusal.name ?? refusal.fileName.replace(/\.md$/i, "").toLowerCase();
}

function indented(lines: readonly string[]): string {
  return lines.map((line) => `  ${line}`).join("\n");
}
