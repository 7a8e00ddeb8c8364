/**
 * Start-up check of SLACK_BOT_TOKEN with `auth.test`: who the bot is (user id, bot id, workspace)
 * and which scopes the token holds. The scopes come from the `x-oauth-scopes` header of that same
 * response (the SDK puts it in `response_metadata.scopes`): no extra call and no extra scope, and
 * it is exactly what the installed token may do. A failure names the variable and the fix.
 */

import { maskUrl } from "../../lib/mask-url.js";
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
      throw new SlackStartError(
        `Slack rejected SLACK_BOT_TOKEN (${code}). Copy the Bot User OAuth Token (xoxb-…) from your app's ` +
          '"OAuth & Permissions" page at https://api.slack.com/apps, and make sure the app is installed to the workspace.',
        { cause: error },
      );
    }
    throw new SlackStartError(
      `Could not check SLACK_BOT_TOKEN: Slack at ${maskUrl(apiBase)} answered auth.test with ${code}. ` +
        "Check the network (and SLACK_API_URL if you set it).",
      { cause: error },
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
