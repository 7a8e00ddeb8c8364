/**
 * The persona catalog backed by PERSONAS_DIR. Start-up is strict (every problem is an error); while
 * running it is forgiving: a file broken mid-edit keeps its last good version and logs a warning,
 * so a typo never takes a persona away from the people using it.
 */

import type { PersonaCatalog } from "../core/persona.js";
import type { Logger } from "../lib/logger.js";
import { type DirectoryWatch, watchDirectory } from "./debounced-directory-watch.js";
import { loadInitialPersonas } from "./load-initial-personas.js";
import { isPersonaFileName } from "./persona-files.js";
import { type PersonaChange, PersonaIndex, PersonaReloader } from "./persona-reloader.js";

export { PersonaDirectoryError } from "./load-initial-personas.js";
export type { PersonaChange } from "./persona-reloader.js";

export interface PersonaDirectory extends PersonaCatalog {
  /** Stops watching. The catalog keeps answering with what it last had. */
  close(): void;
  /** Called after every reload that changed or rejected something; returns an unsubscribe. */
  onChange(listener: (changes: readonly PersonaChange[]) => void): () => void;
}

export interface PersonaDirectoryOptions {
  logger: Logger;
  /** Reload files as they change. Default true. */
  watch?: boolean;
  /** The quiet spell to wait for after a file event. Default 150 ms. */
  debounceMs?: number;
}

export async function loadPersonaDirectory(
  dir: string,
  options: PersonaDirectoryOptions,
): Promise<PersonaDirectory> {
  const { logger } = options;
  const byFile = await loadInitialPersonas(dir);
  const catalog = new PersonaIndex(byFile);
  logger.info({ dir, personas: catalog.list().map((persona) => persona.name) }, "personas loaded");
  const reloader = new PersonaReloader(dir, byFile, catalog, logger);
  const watch =
    options.watch === false ? undefined : startWatching(dir, reloader, logger, options.debounceMs);
  return {
    list: () => catalog.list(),
    get: (name) => catalog.get(name),
    close: () => {
      watch?.close();
      reloader.stop();
    },
    onChange: (listener) => reloader.subscribe(listener),
  };
}

/** A directory that cannot be watched (e.g. the inotify limit is reached) costs hot reload, not start-up. */
function startWatching(
  dir: string,
  reloader: PersonaReloader,
  logger: Logger,
  debounceMs = 150,
): DirectoryWatch | undefined {
  try {
    return watchDirectory(dir, {
      debounceMs,
      logger,
      accept: isPersonaFileName,
      onBatch: (changed) => reloader.reload(changed),
    });
  } catch (error) {
    logger.warn({ err: error, dir }, "cannot watch the persona directory: edits apply after a restart");
    return undefined;
  }
}
