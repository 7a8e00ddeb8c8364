/**
 * Slack Web API failures, classified. The SDK throws a platform error (HTTP 200 `{ok:false,error}`),
 * a rate-limit error (429 + Retry-After), an HTTP error, or a request error (network); each becomes
 * a SlackCallError with Slack's own code, and a hint an admin can act on for the common ones.
 */
import { z } from "zod";

const sdkErrorSchema = z.looseObject({
  code: z.string().optional(),
  retryAfter: z.number().optional(),
  statusCode: z.number().optional(),
  data: z.looseObject({ error: z.string().optional(), needed: z.string().optional() }).optional(),
});

export interface SlackFailure {
  /** Slack's error (`not_in_channel`, `ratelimited`…), or `http_<status>` / `request_failed`. */
  code: string;
  retryAfterSeconds?: number;
  /** For `missing_scope`: the scope to add. */
  neededScope?: string;
}

export function describeSlackError(error: unknown): SlackFailure {
  if (error instanceof SlackCallError) return error.failure;
  const parsed = sdkErrorSchema.safeParse(error);
  if (!parsed.success) return { code: "request_failed" };
  const { code, retryAfter, statusCode, data } = parsed.data;
  if (code === "slack_webapi_rate_limited_error")
    return { code: "ratelimited", retryAfterSeconds: retryAfter };
  if (code === "slack_webapi_platform_error" && data?.error !== undefined) {
    return { code: data.error, ...(data.needed === undefined ? {} : { neededScope: data.needed }) };
  }
  if (code === "slack_webapi_http_error" && statusCode !== undefined) return { code: `http_${statusCode}` };
  return { code: "request_failed" };
}

export class SlackCallError extends Error {
  constructor(
    readonly method: string,
    readonly failure: SlackFailure,
    options?: { cause?: unknown },
  ) {
    super(`Slack ${method} failed: ${failure.code}`, options);
    this.name = "SlackCallError";
  }

  get code(): string {
    return this.failure.code;
  }
}

/** The token is wrong for good: retrying cannot help. */
export const AUTH_ERRORS = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "no_permission",
  "team_disabled",
  "user_removed_from_team",
]);

/** The answer cannot be delivered there at all (the stream should stop the model). */
export const UNREACHABLE_ERRORS = new Set([
  "not_in_channel",
  "channel_not_found",
  "is_archived",
  "access_denied",
]);

/** What an admin can do about a failure, for the log line. */
export function hintFor(failure: SlackFailure): string | undefined {
  switch (failure.code) {
    case "not_in_channel":
      return "the bot is not a member of this channel: invite it with /invite";
    case "channel_not_found":
      return "the channel is gone, or private and the bot was never invited";
    case "is_archived":
      return "the channel is archived";
    case "missing_scope":
      return `add the ${failure.neededScope ?? "missing"} scope (slack/manifest.yml) and reinstall the app`;
    case "ratelimited":
      return "Slack asked to slow down; the call waits Retry-After and tries again";
    default:
      return AUTH_ERRORS.has(failure.code)
        ? "the token is invalid or revoked: check SLACK_BOT_TOKEN"
        : undefined;
  }
}
