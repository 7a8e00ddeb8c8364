/**
 * The logging surface core needs. pino's Logger satisfies it; core never imports pino itself,
 * so tests can pass a recording logger.
 *
 * A record with the field `notice: true` is one the interactive terminal chat also shows its person
 * as a notice, readable and with its fix (the model is not ready, a persona file was refused): when
 * readable log lines share that screen, they leave it out, so it is said once.
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
  /**
   * Whether a line at `level` would be written (pino has it). Optional: a caller that builds an
   * expensive line asks first, and one without it simply builds the line.
   */
  isLevelEnabled?(level: string): boolean;
}

/** A logger that drops everything: for tests and scripts that do not care. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
