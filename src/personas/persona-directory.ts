/**
 * The persona catalog backed by PERSONAS_DIR. Forgiving both at start-up and while running: a file
 * with a problem is skipped with a warning naming the file, the line and the reason (and reported
 * in `startup`, for the app to show or to stop on when it is the default persona); a file broken
 * mid-edit keeps its last good version, so a typo never takes a persona away from the people using
 * it. A fixed file loads on its next save. Only a folder without a single loadable persona stops
 * start-up. Entries that are no persona files at all (a link leaving the folder, a FIFO, a
 * directory) are skipped likewise, and never opened.
 */

import type { PersonaCatalog } from "../core/persona.js";
import type { Logger } from "../lib/logger.js";
import { type DirectoryWatch, watchDirectory } from "./debounced-directory-watch.js";
import { loadInitialPersonas } from "./load-initial-personas.js";
import type { PersonaStartupReport } from "./persona-file-report.js";
import { isPersonaFileName } from "./persona-files.js";
import { DEFAULT_PERSONA_MAX_KB, type PersonaFileLimits } from "./persona-limits.js";
import { type PersonaChange, PersonaIndex, PersonaReloader } from "./persona-reloader.js";

export { PersonaDirectoryError } from "./load-initial-personas.js";
export type { PersonaRefusal, PersonaRoomNote, PersonaStartupReport } from "./persona-file-report.js";
export type { PersonaChange } from "./persona-reloader.js";

export interface PersonaDirectory extends PersonaCatalog {
  /** What start-up skipped and warned about (not updated by reloads: see onChange). */
  readonly startup: PersonaStartupReport;
  /** Stops watching. The catalog keeps answering with what it last had. */
  close(): void;
  /** Called after every reload that changed or rejected something; returns an unsubscribe. */
  onChange(listener: (changes: readonly PersonaChange[]) => void): () => void;
}

export type PersonaDirectoryOptions = {
  logger: Logger;
  /** Reload files as they change. Default true. */
  watch?: boolean;
  /** The quiet spell to wait for after a file event. Default 150 ms. */
  debounceMs?: number;
  /** PERSONA_MAX_KB: a larger persona file is refused unread. Default 256. */
  maxFileKb?: number;
} & (
  | {
      /** CONTEXT_TOKENS: a persona whose fixed prompt leaves no room to converse in it is refused. */
      contextTokens: number;
      /** REPLY_TOKENS: room kept for the answer when a persona sets no max_tokens. */
      replyTokens: number;
    }
  /** Without the context size (tools and tests that only list personas), no prompt is checked. */
  | { contextTokens?: undefined; replyTokens?: undefined }
);

export async function loadPersonaDirectory(
  dir: string,
  options: PersonaDirectoryOptions,
): Promise<PersonaDirectory> {
  const { logger } = options;
  const limits: PersonaFileLimits = {
    maxFileKb: options.maxFileKb ?? DEFAULT_PERSONA_MAX_KB,
    ...(options.contextTokens === undefined
      ? {}
      : { budget: { contextTokens: options.contextTokens, replyTokens: options.replyTokens } }),
  };
  const { byFile, skipped, warnings } = await loadInitialPersonas(dir, limits, logger);
  const catalog = new PersonaIndex(byFile);
  logger.info(
    {
      dir,
      personas: catalog.list().map((persona) => persona.name),
      skipped: skipped.map((refusal) => refusal.fileName),
    },
    "personas loaded",
  );
  const reloader = new PersonaReloader(dir, byFile, catalog, logger, limits, skipped);
  const watch =
    options.watch === false ? undefined : startWatching(dir, reloader, logger, options.debounceMs);
  return {
    startup: { skipped, warnings },
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
