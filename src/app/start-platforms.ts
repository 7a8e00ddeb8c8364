/**
 * Starts the chat platforms one after the other. Each one that starts is handed to `track` (the
 * shutdown stops it). A platform that cannot be reached is tried again for a while
 * (start-with-retry.ts); when one fails for good, the ones already started are stopped and start-up
 * fails saying what happened: out of reach (the network, the URL), a token refused (named, with
 * where to get a good one), or a refusal the connector explains itself (a PlatformFatalError, e.g.
 * a disallowed intent), with its own fix.
 */
import { type Connector, PlatformFatalError } from "../connectors/connector.js";
import type { Logger } from "../lib/logger.js";
import { FatalError } from "./fatal.js";
import { fatalLine, type PlatformConnector } from "./platform-connectors.js";
import { type StartRetryOptions, startFailure, startWithRetry } from "./start-with-retry.js";

export interface StartPlatformsOptions {
  logger: Logger;
  /** Called with each connector once it has started. */
  track(connector: Connector): void;
  /** How long to keep trying a platform that cannot be reached. */
  retry?: StartRetryOptions;
}

/** Resolves with the started connectors, in order; rejects with a FatalError that says why and the fix. */
export async function startPlatforms(
  platforms: readonly PlatformConnector[],
  options: StartPlatformsOptions,
): Promise<Connector[]> {
  const started: Connector[] = [];
  for (const platform of platforms) {
    const { connector } = platform;
    try {
      await startWithRetry(connector, options.logger, options.retry);
    } catch (error) {
      // No token variable here: only a refusal names it, and its message does.
      options.logger.error({ err: error, connector: connector.name }, "platform did not start");
      await Promise.allSettled(started.map((other) => other.stop()));
      if (error instanceof PlatformFatalError) {
        throw new FatalError(fatalLine(platform.variable, error), { cause: error });
      }
      throw startFailure(connector.name, error, platform);
    }
    started.push(connector);
    options.track(connector);
  }
  return started;
}
