/**
 * Start-up check of SLACK_BOT_TOKEN with `auth.test`: who the bot is (user id, bot id, workspace)
 * and which scopes the token holds. The scopes come from the `x-oauth-scopes` header of that same
 * response (the SDK puts it in `response_metadata.scopes`): no extra call and no extra scope, and
 * it is exactly what the installed token may do. A refused token names the variable; a Slack that
 * cannot be reached says so (the token may be fine), and start-up tries again.
 */

import { maskUrl } from "../../lib/mask-url.js";
import { networkFailure, PlatformRefusedError, PlatformUnreachableError } from "../shared/start-errors.js";
import { AUTH_ERRORS, describeSlackError } from "./slack-errors.js";
import { authTestSchema } from "./slack-payloads.js";
import type { SlackApi } from "./slack-web-api.js";

export interface SlackBotIdentity {
  botUserId: string;
  botId?: string;
  teamId: string;
  teamName?: string;
  /** The bot user's name, as people @mention it. */
  botName?: string;
  /** Undefined when Slack did not say (a proxy dropped the header): assume the fewest. */
  scopes?: ReadonlySet<string>;
}

/**
 * Slack could not be reached: no connection or a timeout (the SDK's request error), or Slack's own
 * outage (5xx). Undefined for any answer Slack gave itself.
 */
export function slackUnreachable(error: unknown, apiBase: string): PlatformUnreachableError | undefined {
  const { code } = describeSlackError(error);
  const status = /^http_(\d+)$/.exec(code)?.[1];
  const reason =
    networkFailure(error) ??
    (status !== undefined && Number(status) >= 500 ? `HTTP ${status}` : undefined) ??
    requestFailure(error);
  if (reason === undefined) return undefined;
  return new PlatformUnreachableError("Slack", maskUrl(apiBase), reason, "SLACK_API_URL", { cause: error });
}

/** The SDK's "the request got no answer" error, whatever the reason: its innermost words. */
function requestFailure(error: unknown): string | undefined {
  let current: unknown = error;
  let found = false;
  let words: string | undefined;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if ((current as { code?: unknown }).code === "slack_webapi_request_error") found = true;
    if (found) words = current.message;
    current = current.cause;
  }
  return found ? words : undefined;
}

export class SlackStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SlackStartError";
  }
}

export async function checkBotToken(api: SlackApi, apiBase: string): Promise<SlackBotIdentity> {
  let result: unknown;
  try {
    result = await api.call("auth.test", {});
  } catch (error) {
    const { code } = describeSlackError(error);
    if (AUTH_ERRORS.has(code)) {
      throw new PlatformRefusedError(
        "SLACK_BOT_TOKEN",
        `Slack rejected SLACK_BOT_TOKEN (${code}): the token is wrong or revoked, or the app is not installed ` +
          "to the workspace",
        { cause: error },
      );
    }
    throw (
      slackUnreachable(error, apiBase) ??
      new SlackStartError(
        `Could not check SLACK_BOT_TOKEN: Slack at ${maskUrl(apiBase)} answered auth.test with ${code}. ` +
          "Check SLACK_API_URL if you set it.",
        { cause: error },
      )
    );
  }
  const parsed = authTestSchema.safeParse(result);
  if (!parsed.success) {
    throw new SlackStartError(
      `Slack at ${maskUrl(apiBase)} sent an auth.test answer without a user_id: is SLACK_API_URL right?`,
    );
  }
  const { user_id, bot_id, team_id, team, user, response_metadata } = parsed.data;
  return {
    botUserId: user_id,
    botId: bot_id,
    teamId: team_id,
    teamName: team,
    botName: user,
    scopes: response_metadata?.scopes === undefined ? undefined : new Set(response_metadata.scopes),
  };
}
