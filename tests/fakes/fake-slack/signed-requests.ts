/**
 * Slack's side of the HTTP Events API: requests signed the way Slack signs them (v0, HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>` with the signing secret), with options for a bad signature, a stale
 * or future timestamp and retry headers; any raw body can be signed, hostile ones included.
 */
import { createHmac } from "node:crypto";

export interface SignOptions {
  secret: string;
  /** Seconds since the epoch; default now. More than five minutes off either way is refused. */
  timestampSeconds?: number;
  /** Sign with the wrong secret. */
  badSignature?: boolean;
  /** X-Slack-Retry-Num / -Reason, as on Slack's retries. */
  retryNum?: number;
}

export interface SignedResponse {
  status: number;
  text: string;
}

export function signature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export const FORM = "application/x-www-form-urlencoded";

/** Signs `body` exactly as given (any text, JSON or not) and posts it. */
export async function sendSignedRaw(
  url: string,
  body: string,
  contentType: string,
  options: SignOptions,
): Promise<SignedResponse> {
  const timestamp = options.timestampSeconds ?? Math.floor(Date.now() / 1000);
  const secret = options.badSignature ? `${options.secret}-wrong` : options.secret;
  const headers: Record<string, string> = {
    // Exactly this content type for forms: Bolt parses only an exact match as a form.
    "content-type": contentType,
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": signature(secret, timestamp, body),
  };
  if (options.retryNum !== undefined) {
    headers["x-slack-retry-num"] = String(options.retryNum);
    headers["x-slack-retry-reason"] = "http_timeout";
  }
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, text: await response.text() };
}

export function sendSignedEvent(
  url: string,
  payload: unknown,
  options: SignOptions,
): Promise<SignedResponse> {
  return sendSignedRaw(url, JSON.stringify(payload), "application/json", options);
}

export function sendSignedCommand(
  url: string,
  fields: Record<string, string>,
  options: SignOptions,
): Promise<SignedResponse> {
  return sendSignedRaw(url, new URLSearchParams(fields).toString(), FORM, options);
}
