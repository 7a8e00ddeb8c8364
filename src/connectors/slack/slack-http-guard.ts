/**
 * The HTTP Events API's front door: every POST to the events endpoint passes here before Bolt's
 * receiver sees it. Bolt 5 has no hook that runs before it touches the body (its error handlers
 * run after), so this wraps the receiver's public `requestListener`, which its server calls per
 * request. In order:
 *
 * 1. Bolt's own reading and signature check (`parseAndVerifyHTTPRequest`: body limit, v0 HMAC,
 *    stale timestamps): 413 for a body over the limit, 401 for a bad signature or a stale request.
 * 2. A timestamp more than five minutes in the future: 401 too (Bolt only rejects old ones).
 * 3. Bolt's own body parser: 400 when the JSON (or a form's `payload`) does not parse.
 * 4. The shape check (slack-http-body.ts): 400 for a body Bolt would crash on or never
 *    acknowledge; a 200 for Slack's rate-limit notice.
 *
 * A refusal is answered at once with one warning line (status, reason; never the body). What
 * passes goes to Bolt unchanged and already read; Bolt's receiver is built without its own signature
 * check (slack-client.ts), as this one has done it.
 * Other paths and methods go straight to Bolt (its 404s are unchanged).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import {
  type BufferedIncomingMessage,
  defaultBodyLimit,
  HTTPModuleFunctions,
  isRawBodyError,
} from "@slack/bolt";
import type { Logger } from "../../lib/logger.js";
import { checkHttpBody } from "./slack-http-body.js";

/** Slack's replay window, in both directions. */
const MAX_SKEW_SECONDS = 5 * 60;

export interface RequestGuardOptions {
  signingSecret: string;
  /** The events path, e.g. `/slack/events`. */
  endpoint: string;
  /** This app's slash commands, with their slash. */
  commands: readonly string[];
  logger: Logger;
  /** Bytes; Bolt's default (4 MB) when unset. */
  bodyLimit?: number;
  now?: () => number;
  /** False while troupe stops: every event is answered 503 at once (Slack delivers it again). */
  accepting?: () => boolean;
}

export function createRequestGuard(bolt: RequestListener, options: RequestGuardOptions): RequestListener {
  const logger = options.logger.child({ component: "slack-http" });
  const commands = new Set(options.commands);
  const bodyLimit = options.bodyLimit ?? defaultBodyLimit;
  const now = options.now ?? Date.now;

  function refuse(response: ServerResponse, status: number, reason: string): void {
    logger.warn({ status, reason }, "refused a Slack request");
    response.writeHead(status);
    response.end();
  }

  async function screen(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let buffered: BufferedIncomingMessage;
    try {
      buffered = await HTTPModuleFunctions.parseAndVerifyHTTPRequest(
        { signingSecret: options.signingSecret, bodyLimit },
        request,
      );
    } catch (error) {
      if (isRawBodyError(error)) {
        if (error.type === "entity.too.large" || error.statusCode === 413)
          return refuse(response, 413, `the body is over the limit of ${bodyLimit} bytes`);
        return refuse(response, 400, `the body could not be read (${error.type})`);
      }
      // Bolt's messages name the failed check ("signature mismatch", "request is stale"), not values.
      return refuse(response, 401, error instanceof Error ? error.message : String(error));
    }

    // Absent only on an unsigned `ssl_check`, which Bolt lets through by design.
    const timestamp = Number(request.headers["x-slack-request-timestamp"]);
    if (timestamp > Math.floor(now() / 1000) + MAX_SKEW_SECONDS)
      return refuse(response, 401, "x-slack-request-timestamp is more than 5 minutes in the future");

    let body: unknown;
    try {
      body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
    } catch {
      // Not the parser's message: V8 quotes a piece of the body in it.
      const form = request.headers["content-type"] === "application/x-www-form-urlencoded";
      return refuse(response, 400, form ? "the form's payload is not JSON" : "the body is not JSON");
    }

    const verdict = checkHttpBody(body, commands);
    if (verdict.kind === "reject") return refuse(response, 400, verdict.reason);
    if (verdict.kind === "rate-limited") {
      logger.warn("Slack is rate-limiting this app's events (app_rate_limited): some were dropped");
      response.writeHead(200);
      response.end();
      return;
    }
    bolt(buffered, response);
  }

  return (request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (request.method !== "POST" || path !== options.endpoint) {
      bolt(request, response);
      return;
    }
    if (options.accepting?.() === false) {
      request.resume();
      response.writeHead(503, { "retry-after": "5" });
      response.end();
      return;
    }
    screen(request, response).catch((error: unknown) => {
      logger.error({ err: error }, "a Slack request failed before Bolt saw it");
      if (!response.headersSent) {
        response.writeHead(500);
        response.end();
      }
    });
  };
}
