/**
 * Starts the chat platforms one after the other. Each one that starts is handed to `track` (the
 * shutdown stops it); when one fails, the ones already started are stopped and start-up fails with
 * the variable to check and where to get a good value: a wrong token is the usual cause. A
 * connector that knows why the platform refused it (a PlatformFatalError) gives its own fix.
 */
import { type Connector, PlatformFatalError } from "../connectors/connector.js";
import type { Logger } from "../lib/logger.js";
import { FatalError } from "./fatal.js";
import { fatalLine, type PlatformConnector } from "./platform-connectors.js";

export interface StartPlatformsOptions {
  logger: Logger;
  /** Called with each connector once it has started. */
  track(connector: Connector): void;
}

/** Resolves with the started connectors, in order; rejects with a FatalError naming the variable. */
export async function startPlatforms(
  platforms: readonly PlatformConnector[],
  options: StartPlatformsOptions,
): Promise<Connector[]> {
  const started: Connector[] = [];
  for (const platform of platforms) {
    const { connector, variable } = platform;
    try {
      await connector.start();
    } catch (error) {
      options.logger.error({ err: error, connector: connector.name, variable }, "platform did not start");
      await Promise.allSettled(started.map((other) => other.stop()));
      if (error instanceof PlatformFatalError)
        throw new FatalError(fatalLine(variable, error), { cause: error });
      const reason = error instanceof Error ? error.message : String(error);
      throw new FatalError(`${variable}: ${connector.name} did not start: ${reason}\nFix: ${platform.fix}.`, {
        cause: error,
      });
    }
    started.push(connector);
    options.track(connector);
  }
  return started;
}
