/**
 * Discord failures as log fields. A DiscordAPIError carries the request URL (interaction and webhook
 * URLs hold a token) and the request body (people's messages), so it is never logged whole: only
 * its status, Discord's error code, the method, the route with tokens masked, and the reason.
 */
import { DiscordAPIError, HTTPError, RateLimitError, RESTJSONErrorCodes } from "discord.js";

export { RESTJSONErrorCodes as DiscordErrorCode };

/** The path of a Discord URL without its query, with webhook and interaction tokens masked. */
function redactRoute(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split("?")[0] ?? url;
  }
  return path.replace(/\/(webhooks|interactions)\/(\d+)\/[^/]+/g, "/$1/$2/:token");
}

export function discordErrorFields(error: unknown): Record<string, unknown> {
  if (error instanceof DiscordAPIError) {
    return {
      status: error.status,
      discordCode: error.code,
      method: error.method,
      route: redactRoute(error.url),
      reason: error.message,
    };
  }
  if (error instanceof HTTPError) {
    return {
      status: error.status,
      method: error.method,
      route: redactRoute(error.url),
      reason: error.message,
    };
  }
  if (error instanceof RateLimitError) {
    return { status: 429, method: error.method, route: error.route, retryAfterMs: error.retryAfter };
  }
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    return { reason: error.message, ...(cause?.code === undefined ? {} : { cause: cause.code }) };
  }
  return { reason: String(error) };
}

/** Log fields for any failure: Discord's without the request, anything else with its stack. */
export function errorFields(error: unknown): Record<string, unknown> {
  return error instanceof DiscordAPIError || error instanceof HTTPError || error instanceof RateLimitError
    ? discordErrorFields(error)
    : { err: error };
}

export function hasDiscordCode(error: unknown, code: RESTJSONErrorCodes): boolean {
  return error instanceof DiscordAPIError && error.code === code;
}

/**
 * What core receives when Discord refused an answer: the reason, never the request (its URL may hold
 * an interaction token, its body the conversation).
 */
class DiscordDeliveryError extends Error {
  constructor(readonly fields: Record<string, unknown>) {
    super(`Discord refused the write: ${String(fields.reason ?? fields.status ?? "unknown reason")}`);
    this.name = "DiscordDeliveryError";
  }
}

export function deliveryError(error: unknown): DiscordDeliveryError {
  return error instanceof DiscordDeliveryError ? error : new DiscordDeliveryError(discordErrorFields(error));
}
