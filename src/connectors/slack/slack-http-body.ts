/**
 * What a signed HTTP body must look like before Bolt sees it. Bolt routes a body by the fields it
 * finds and trusts their types: `null` crashes its receiver (an unhandled rejection, no answer
 * ever), a body it cannot route is never acknowledged (a 404 after 3 s and an error log), and an
 * `event.item` or `authorizations[0]` that is not an object, or a team id such as `constructor`
 * (a key of its client pool), throws inside it (a 500). So the body is read here first, with zod,
 * against what this app handles, in Bolt's own routing order: SSL checks and URL verification
 * (Bolt answers those itself), Events API callbacks (any event type: Bolt acknowledges them all),
 * this app's own slash commands, and Slack's rate-limit notices. Anything else gets a short
 * reason that never quotes the body's values. Pure, so it is fuzzed.
 */
import { z } from "zod";
import { slashCommandSchema } from "./slack-payloads.js";

export type BodyVerdict =
  /** Hand it to Bolt. */
  | { kind: "pass" }
  /** `app_rate_limited`: Slack is dropping this app's events; it only wants a 200. */
  | { kind: "rate-limited" }
  /** A 400, with why. */
  | { kind: "reject"; reason: string };

/** Workspace, enterprise and user ids: capital letters and digits (never `__proto__` or `constructor`). */
const slackId = z.string().regex(/^[A-Z0-9]{1,64}$/);

/** Present but null: Bolt reads a field of it. */
const notNull = z.unknown().refine((value) => value !== null, "must not be null");

/**
 * The fields Bolt's router reads on any event (App.ts buildSource, helpers.ts getTypeAndConversation).
 * Plain objects, not loose ones, where every event passes: they accept the same bodies (unknown
 * fields are never refused) but do not copy each of Slack's fields into a result nobody reads.
 */
const eventSchema = z.object({
  type: z.string().min(1),
  // `'id' in event.channel` / `'creator' in event.channel` when it is not a string.
  channel: z.union([z.string(), z.looseObject({})]).optional(),
  // `'channel' in event.item`.
  item: z.looseObject({}).optional(),
  // `event.user.id` when it is an object, null included; `event.subteam.created_by`.
  user: notNull.optional(),
  subteam: notNull.optional(),
});

const eventCallbackSchema = z.object({
  type: z.literal("event_callback"),
  team_id: slackId,
  enterprise_id: slackId.nullish(),
  event_id: z.string().min(1),
  event: eventSchema,
  // Bolt takes the team and enterprise from the first authorization when there is one.
  authorizations: z
    .array(z.object({ team_id: slackId.nullish(), enterprise_id: slackId.nullish() }))
    .optional(),
  // Without a `response_url`, Bolt reads `response_urls.length` and `response_urls[0].response_url`.
  response_urls: z.array(z.looseObject({})).optional(),
});

const commandSchema = slashCommandSchema.extend({
  team_id: slackId,
  enterprise_id: slackId.optional(),
});

const urlVerificationSchema = z.looseObject({ challenge: z.string() });

/** A value from the body, named in a reason only when it is short and plainly a name. */
function nameOf(value: unknown, pattern: RegExp): string {
  return typeof value === "string" && pattern.test(value) ? `"${value}"` : "(not a name)";
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

function firstIssue(what: string, error: z.ZodError): BodyVerdict {
  const issue = error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.join(".")}`;
  return { kind: "reject", reason: `${what}: ${issue?.message ?? "invalid"}${where}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * @param body the parsed body (JSON, or the fields of a form).
 * @param commands this app's slash commands, with their slash (`/ask`): Bolt would leave any other
 *   unacknowledged.
 */
export function checkHttpBody(body: unknown, commands: ReadonlySet<string>): BodyVerdict {
  if (!isRecord(body)) return { kind: "reject", reason: `the body is ${kindOf(body)}, not an object` };
  if (body.ssl_check === "1") return { kind: "pass" };
  if (body.type === "url_verification") {
    const parsed = urlVerificationSchema.safeParse(body);
    return parsed.success ? { kind: "pass" } : firstIssue("a malformed url_verification", parsed.error);
  }
  if (body.event !== undefined || body.type === "event_callback") {
    const parsed = eventCallbackSchema.safeParse(body);
    if (!parsed.success) return firstIssue("a malformed event_callback", parsed.error);
    // Bolt leaves this one event type for the listener to acknowledge, and there is none.
    if (parsed.data.event.type === "function_executed")
      return { kind: "reject", reason: "a function_executed event, and this app has no functions" };
    return { kind: "pass" };
  }
  if (body.command !== undefined) {
    const parsed = commandSchema.safeParse(body);
    if (!parsed.success) return firstIssue("a malformed slash command", parsed.error);
    if (!commands.has(parsed.data.command))
      return {
        kind: "reject",
        reason: `the slash command ${nameOf(parsed.data.command, /^\/[\w-]{1,32}$/)} is not one of this app's`,
      };
    return { kind: "pass" };
  }
  if (body.type === "app_rate_limited") return { kind: "rate-limited" };
  if (body.type === undefined) return { kind: "reject", reason: "the body has no type" };
  return {
    kind: "reject",
    reason: `the type ${nameOf(body.type, /^[a-z_]{1,40}$/)} is not one this app handles`,
  };
}
