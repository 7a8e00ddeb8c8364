/**
 * What every connector is to the app: a name, start and stop. A connector turns a platform's events
 * into IncomingMessage + ReplySink and meets its deadlines.
 *
 * Also the one way a connector says the platform has refused it for good (a revoked token, an
 * intent that is not enabled): a PlatformFatalError, thrown from start() or handed to the `onFatal`
 * its options carry once running. The app turns it into one line naming the variable, the reason
 * and the fix, and, while running, a stop with a non-zero exit code, so a service manager that
 * restarts on failure sees a failure and not a clean stop.
 */

export interface Connector {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Connected to the platform now (for /readyz); a connector without it counts as connected once started. */
  connected?(): boolean;
}

/** A refusal the platform will repeat until a person changes a setting. */
export class PlatformFatalError extends Error {
  /** What a person does about it, e.g. "copy the bot token from …". */
  readonly fix: string;
  /** The setting at fault, when it is not the platform's main token (Slack's SLACK_APP_TOKEN). */
  readonly variable: string | undefined;

  constructor(reason: string, fix: string, options: { cause?: unknown; variable?: string } = {}) {
    super(reason, { cause: options.cause });
    this.name = "PlatformFatalError";
    this.fix = fix;
    this.variable = options.variable;
  }
}

/** Called at most once per connector, after start() resolved, when the platform refuses it for good. */
export type OnFatal = (error: PlatformFatalError) => void;
