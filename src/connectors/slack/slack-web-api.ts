/**
 * The one Web API client the connector writes with, and the one place its failures are handled:
 * every failing call is caught here and logged as one structured line (method, Slack's error code,
 * channel, a hint, the cause) before it is rethrown as a SlackCallError.
 *
 * Rate limits, deliberately: `rejectRateLimitedCalls: true`, because the SDK's default answer to a
 * 429 pauses its whole request queue (every channel, every method) for Retry-After; here only the
 * limited call waits Retry-After and tries again (or fails at once when the caller has a cheaper
 * way, e.g. chat.startStream falling back to post-and-update). `retryConfig`: two quick retries for
 * network and 5xx failures instead of the SDK's ten over about thirty minutes, so an answer never
 * hangs for half an hour behind a dead connection.
 */
import { webApi } from "@slack/bolt";
import type { Logger } from "../../lib/logger.js";
import { createPooledFetch } from "../../lib/pooled-fetch.js";
import { createSdkLogger } from "./slack-bolt-logger.js";
import { describeSlackError, hintFor, SlackCallError } from "./slack-errors.js";

export type SlackArgs = Record<string, unknown>;

export interface CallOptions {
  /** Best-effort calls (a "thinking" status) log their failures at debug, not warn. */
  quiet?: boolean;
  /** `fail`: a 429 fails at once instead of waiting Retry-After. Default `wait`. */
  onRateLimit?: "wait" | "fail";
}

export interface SlackApi {
  /** The result is Slack's JSON: callers parse what they read with zod. */
  call(method: string, args: SlackArgs, options?: CallOptions): Promise<unknown>;
}

export interface SlackApiOptions {
  token: string;
  /** The Web API base; Slack's own when unset. */
  apiUrl?: string;
  logger: Logger;
  /** How many times one call waits Retry-After before giving up. Default 3. */
  rateLimitRetries?: number;
  /** Per-request deadline. Default 15 s. */
  timeoutMs?: number;
}

export function slackApiBase(apiUrl: string | undefined): string {
  // The SDK concatenates base and method name: the trailing slash matters.
  if (apiUrl === undefined) return "https://slack.com/api/";
  return apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`;
}

export function createSlackApi(options: SlackApiOptions): SlackApi {
  const logger = options.logger.child({ component: "slack-api" });
  const rateLimitRetries = options.rateLimitRetries ?? 3;
  const client = new webApi.WebClient(options.token, {
    slackApiUrl: slackApiBase(options.apiUrl),
    logger: createSdkLogger(options.logger, { quiet: true }),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 300, maxTimeout: 2000 },
    timeout: options.timeoutMs ?? 15_000,
    // Every answer posts through this client: undici's request costs less than fetch (pooled-fetch.ts).
    fetch: createPooledFetch(),
  });

  return {
    async call(method, args, callOptions = {}) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await client.apiCall(method, args);
        } catch (error) {
          const failure = describeSlackError(error);
          const fields = {
            method,
            code: failure.code,
            channel: typeof args.channel === "string" ? args.channel : args.channel_id,
            hint: hintFor(failure),
          };
          if (
            failure.code === "ratelimited" &&
            callOptions.onRateLimit !== "fail" &&
            attempt <= rateLimitRetries
          ) {
            // Slack's 429 says how long to wait (Retry-After, seconds): honour it, then try again.
            const waitSeconds = failure.retryAfterSeconds ?? 1;
            logger.warn({ ...fields, retryAfterSeconds: waitSeconds, attempt }, "Slack rate limit: waiting");
            await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
            continue;
          }
          const level = callOptions.quiet ? "debug" : "warn";
          logger[level]({ ...fields, err: error }, `Slack refused ${method}: ${failure.code}`);
          throw new SlackCallError(method, failure, { cause: error });
        }
      }
    },
  };
}
