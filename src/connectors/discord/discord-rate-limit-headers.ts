/**
 * Reads the limits Discord reports. discord.js makes every request and emits each response
 * (`RESTEvents.Response`) before its own queue reads the same headers, so troupe learns a bucket's
 * state without doing HTTP itself. Only message writes are read (posts, edits and deletes, in a
 * channel or through a webhook or an interaction's token): those are the writes the scheduler
 * grants; a response without the headers (an unlimited route, a fake) reports nothing.
 */
import { type REST, RESTEvents } from "discord.js";
import { z } from "zod";
import { channelBucket, webhookBucket } from "./discord-pacing.js";
import type { RateLimitReport, WriteScheduler } from "./discord-write-scheduler.js";

const count = z.coerce.number().int().nonnegative();
const seconds = z.coerce.number().nonnegative().finite();

/** The bucket state a response reports, or undefined when it carries none (or a malformed one). */
export function readRateLimit(headers: Pick<Headers, "get">): RateLimitReport | undefined {
  const limit = count.safeParse(headers.get("x-ratelimit-limit") ?? undefined);
  const remaining = count.safeParse(headers.get("x-ratelimit-remaining") ?? undefined);
  const resetAfter = seconds.safeParse(headers.get("x-ratelimit-reset-after") ?? undefined);
  if (!limit.success || !remaining.success || !resetAfter.success) return undefined;
  return { limit: limit.data, remaining: remaining.data, resetAfterMs: resetAfter.data * 1000 };
}

const CHANNEL_WRITE = /^\/channels\/(\d+)\/messages(?:\/\d+)?$/;
/** A persona webhook's execute/edit/delete, and an interaction's follow-ups (its app id and token). */
const WEBHOOK_WRITE = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/[^/]+)?$/;

/** The scheduler's bucket a request path writes in, or undefined for anything but a message write. */
export function writeBucketOf(path: string): string | undefined {
  const channel = CHANNEL_WRITE.exec(path);
  if (channel?.[1] !== undefined) return channelBucket(channel[1]);
  const webhook = WEBHOOK_WRITE.exec(path);
  if (webhook?.[1] !== undefined && webhook[2] !== undefined) return webhookBucket(webhook[1], webhook[2]);
  return undefined;
}

/** Feeds every message write's reported limits to the scheduler; returns the function that stops it. */
export function watchRateLimits(rest: REST, scheduler: WriteScheduler): () => void {
  const listener = (request: { path: string }, response: { headers: Pick<Headers, "get"> }) => {
    const bucket = writeBucketOf(request.path);
    if (bucket === undefined) return;
    const report = readRateLimit(response.headers);
    if (report !== undefined) scheduler.report(bucket, report);
  };
  rest.on(RESTEvents.Response, listener);
  return () => {
    rest.off(RESTEvents.Response, listener);
  };
}
