/**
 * Starting one platform, with patience for the network: a platform that cannot be reached (no
 * connection, a timeout, its own outage) is tried again after 1, 2, 4, 8… seconds until the waits
 * add up to the budget (PLATFORM_RETRY_SECONDS, 60 by default), each retry logged at warn with the
 * attempt and the cause. A refused token, or any other failure, is not retried: waiting cannot fix it.
 * Then the one line start-up ends with: what happened, and the one fix that fits it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Connector } from "../connectors/connector.js";
import { PlatformRefusedError, PlatformUnreachableError } from "../connectors/shared/start-errors.js";
import type { Logger } from "../lib/logger.js";
import { FatalError } from "./fatal.js";

export interface StartRetryOptions {
  /** The most start-up waits in all between attempts. Default 60 s; 0 tries once. */
  totalMs?: number;
  /** The first wait; each next one doubles. Default 1 s. */
  firstDelayMs?: number;
  /** How to wait (tests pass one that does not). */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_RETRY_TOTAL_MS = 60_000;

/** Resolves once the connector started; rejects with the last failure, tagged with how long it tried. */
export async function startWithRetry(
  connector: Connector,
  logger: Logger,
  options: StartRetryOptions = {},
): Promise<void> {
  const totalMs = options.totalMs ?? DEFAULT_RETRY_TOTAL_MS;
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  let delayMs = options.firstDelayMs ?? 1_000;
  let waitedMs = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      await connector.start();
      return;
    } catch (error) {
      if (!(error instanceof PlatformUnreachableError) || waitedMs >= totalMs) {
        throw error instanceof PlatformUnreachableError ? new GaveUp(error, attempt, waitedMs) : error;
      }
      const nextMs = Math.min(delayMs, totalMs - waitedMs);
      logger.warn(
        { connector: connector.name, attempt, delayMs: nextMs, url: error.url, reason: error.reason },
        `could not reach ${error.platform}: trying again`,
      );
      await wait(nextMs);
      waitedMs += nextMs;
      delayMs *= 2;
    }
  }
}

/** The platform stayed out of reach through every attempt; the cause is the last failure. */
class GaveUp extends Error {
  constructor(
    last: PlatformUnreachableError,
    readonly attempts: number,
    readonly waitedMs: number,
  ) {
    super(`gave up after ${attempts} attempts`, { cause: last });
    this.name = "GaveUp";
  }

  get last(): PlatformUnreachableError {
    return this.cause as PlatformUnreachableError;
  }
}

export interface PlatformNames {
  /** The token variable, named only when the platform refused it. */
  variable: string;
  /** Where to get a good token. */
  fix: string;
}

/** The FatalError start-up ends with when a platform did not start. */
export function startFailure(connectorName: string, error: unknown, names: PlatformNames): FatalError {
  if (error instanceof GaveUp) {
    const { last } = error;
    const tried =
      error.attempts === 1
        ? "tried once"
        : `tried ${error.attempts} times over ${Math.round(error.waitedMs / 1000)} s`;
    return new FatalError(
      `${last.message}; ${tried}.\nFix: check the network connection (and ${last.urlVariable}, if you set it), ` +
        "then start troupe again.",
      { cause: last },
    );
  }
  if (error instanceof PlatformRefusedError) {
    // The platform's own variable gets its fix; another (SLACK_APP_TOKEN) has it in the message.
    const fix = error.variable === names.variable ? `\nFix: ${names.fix}.` : "";
    return new FatalError(`${sentence(error.message)}${fix}`, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new FatalError(`${connectorName} did not start: ${reason}`, { cause: error });
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
