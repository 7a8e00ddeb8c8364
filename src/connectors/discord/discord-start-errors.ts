/**
 * A failed Discord login, told apart: Discord refused DISCORD_TOKEN (REST 401, which discord.js
 * reports as TokenInvalid, or the gateway closing with 4004 "Authentication failed"), or Discord
 * could not be reached (no connection, a timeout, a 5xx from Discord or a proxy in front of it).
 * Anything else is returned as it was thrown.
 */
import { HTTPError } from "discord.js";
import { maskUrl } from "../../lib/mask-url.js";
import { networkFailure, PlatformRefusedError, PlatformUnreachableError } from "../shared/start-errors.js";

const DISCORD_API = "https://discord.com/api";

export function discordStartFailure(error: unknown, apiUrl: string | undefined): unknown {
  if (isTokenRefusal(error)) {
    const how = (error as { code?: unknown }).code === "TokenInvalid" ? "HTTP 401" : "gateway close 4004";
    return new PlatformRefusedError(
      "DISCORD_TOKEN",
      `Discord refused DISCORD_TOKEN (${how}: ${describe(error)})`,
      {
        cause: error,
      },
    );
  }
  const network = networkFailure(error);
  const outage =
    error instanceof HTTPError && error.status >= 500 ? `HTTP ${error.status} ${error.message}` : undefined;
  const reason = network ?? outage;
  if (reason === undefined) return error;
  return new PlatformUnreachableError("Discord", maskUrl(apiUrl ?? DISCORD_API), reason, "DISCORD_API_URL", {
    cause: error,
  });
}

/** discord.js: `TokenInvalid` after a REST 401; @discordjs/ws: "Authentication failed" on close 4004. */
export function isTokenRefusal(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (error as { code?: unknown }).code === "TokenInvalid" || error.message === "Authentication failed";
}

/** The library's words without their final full stop: they sit inside parentheses here. */
function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, "");
}
