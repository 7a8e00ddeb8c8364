/**
 * fs.watch on one directory, debounced and serialised. Editors save in several steps (write a temp
 * file, rename it over the original, touch it again), and fs.watch reports each step, sometimes
 * twice: waiting for a short quiet spell turns that burst into one batch of changed file names.
 */
import { type FSWatcher, watch } from "node:fs";
import type { Logger } from "../lib/logger.js";

/** The file names that changed, or "all" when the platform did not say which (filename null). */
export type ChangedFiles = ReadonlySet<string> | "all";

export interface DirectoryWatchOptions {
  debounceMs: number;
  logger: Logger;
  /** Which file names matter; events for others are ignored. */
  accept(fileName: string): boolean;
  /** Handles one batch. Never runs twice at once; events during a run become the next batch. */
  onBatch(changed: ChangedFiles): Promise<void>;
}

export interface DirectoryWatch {
  close(): void;
}

export function watchDirectory(dir: string, options: DirectoryWatchOptions): DirectoryWatch {
  let pending = new Set<string>();
  let rescanAll = false;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let closed = false;

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs);
  };

  const flush = () => {
    if (closed || running) return;
    const batch: ChangedFiles = rescanAll ? "all" : pending;
    pending = new Set();
    rescanAll = false;
    if (batch !== "all" && batch.size === 0) return;
    running = true;
    options
      .onBatch(batch)
      .catch((error: unknown) => options.logger.error({ err: error, dir }, "persona reload failed"))
      .finally(() => {
        running = false;
        if (!closed && (rescanAll || pending.size > 0)) schedule();
      });
  };

  // persistent: false so a forgotten watcher never keeps the process alive on its own.
  const watcher: FSWatcher = watch(dir, { persistent: false }, (_eventType, fileName) => {
    if (closed) return;
    if (fileName === null) rescanAll = true;
    else if (options.accept(fileName)) pending.add(fileName);
    else return;
    schedule();
  });
  watcher.on("error", (error) => {
    options.logger.error(
      { err: error, dir },
      "watching the persona directory failed: personas stay as they are until restart",
    );
  });

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
