/**
 * The logging surface core needs. pino's Logger satisfies it; core never imports pino itself,
 * so tests can pass a recording logger.
 */
export interface LogFn {
  (object: Record<string, unknown>, message?: string): void;
  (message: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/** A logger that drops everything: for tests and scripts that do not care. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
