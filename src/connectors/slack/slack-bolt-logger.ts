/**
 * Bolt, the Socket Mode client and the Web API client log through this adapter into our structured
 * logger (component "slack-sdk"), so their lines land in the same stream as ours. The SDKs' own
 * levels are kept, except for the Web API client: its failures are logged by slack-api.ts with more
 * context, so its own lines drop to debug. Every forwarded line, at every level, is masked first
 * (slack-secret-mask.ts): at debug the SDKs log the one-time Socket Mode ticket and tokens.
 */
import { LogLevel, type Logger as SdkLogger } from "@slack/bolt";
import type { Logger } from "../../lib/logger.js";
import { maskError, maskSecrets } from "./slack-secret-mask.js";

type Level = "debug" | "info" | "warn" | "error";

function describe(part: unknown): string {
  try {
    return JSON.stringify(part) ?? String(part);
  } catch {
    return String(part);
  }
}

function write(logger: Logger, level: Level, parts: unknown[]): void {
  // The SDKs log several debug lines per request; masking and joining them for nothing cost more
  // than the requests' own logging.
  if (logger.isLevelEnabled?.(level) === false) return;
  const error = parts.find((part) => part instanceof Error);
  const text = parts
    .filter((part) => !(part instanceof Error))
    .map((part) => (typeof part === "string" ? part : describe(part)))
    .join(" ");
  logger[level](error === undefined ? {} : { err: maskError(error) }, maskSecrets(text));
}

export function createSdkLogger(logger: Logger, options: { quiet?: boolean } = {}): SdkLogger {
  let child = logger.child({ component: "slack-sdk" });
  let level: LogLevel = LogLevel.INFO;
  const at = (wanted: Level): Level => (options.quiet ? "debug" : wanted);
  return {
    debug: (...parts: unknown[]) => write(child, "debug", parts),
    info: (...parts: unknown[]) => write(child, at("info"), parts),
    warn: (...parts: unknown[]) => write(child, at("warn"), parts),
    error: (...parts: unknown[]) => write(child, at("error"), parts),
    setLevel(next: LogLevel) {
      level = next;
    },
    getLevel: () => level,
    setName(name: string) {
      child = logger.child({ component: "slack-sdk", sdk: name });
    },
  };
}
