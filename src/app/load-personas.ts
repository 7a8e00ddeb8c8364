/**
 * The personas at start-up: PERSONAS_DIR loaded (and watched) within the persona limits (file size
 * PERSONA_MAX_KB; a fixed prompt that leaves room to converse in CONTEXT_TOKENS), and
 * DEFAULT_PERSONA one of them.
 * Either problem stops start-up with a line that names the variable and what would fix it.
 */
import type { Config } from "../config.js";
import type { Logger } from "../lib/logger.js";
import { loadPersonaDirectory, type PersonaDirectory } from "../personas/persona-directory.js";
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
    const available = personas.list().map((persona) => persona.name);
    logger.error({ defaultPersona: settings.DEFAULT_PERSONA, dir, available }, "DEFAULT_PERSONA is unknown");
    throw new FatalError(
      `DEFAULT_PERSONA=${settings.DEFAULT_PERSONA} is not a persona in ${dir}. Available: ${available.join(", ")}.`,
    );
  }
  return personas;
}
