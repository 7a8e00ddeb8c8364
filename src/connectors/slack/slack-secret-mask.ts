/**
 * Masks the secrets that Slack's SDKs write into their own log lines. At debug level the Web API
 * client logs every result, including `apps.connections.open`'s one-time Socket Mode URL
 * (`wss://…?ticket=…`), which anyone holding it can connect with; payload dumps carry the legacy
 * verification `token` field; an error can quote a token. Every line the SDK logger forwards goes
 * through here, whatever its level. Pure.
 */

const MASK = "[redacted]";

/** `ticket=<value>` in a URL's query (the value ends at `&`, a quote, or white space). */
const TICKET = /([?&]ticket=)[^&\s"'<>]+/gi;
/** Slack tokens: bot, user, app-level, refresh and configuration tokens. */
const TOKEN = /\b(xox[abcdeoprs]|xapp)-[A-Za-z0-9-]+/g;
/** A JSON `"token": "…"` field (the verification token in payload dumps; any `*_token` too). */
const TOKEN_FIELD = /("[a-z_]*token"\s*:\s*")[^"]*(")/gi;

export function maskSecrets(text: string): string {
  return text
    .replace(TICKET, `$1${MASK}`)
    .replace(TOKEN, (_whole, prefix: string) => `${prefix}-${MASK}`)
    .replace(TOKEN_FIELD, `$1${MASK}$2`);
}

/**
 * An error as a plain, masked record for the log (message and stack masked), or the error itself
 * when it holds nothing to mask, so pino's own error serializer still sees a real Error.
 */
export function maskError(error: Error): Error | Record<string, unknown> {
  const message = maskSecrets(error.message);
  const stack = error.stack === undefined ? undefined : maskSecrets(error.stack);
  if (message === error.message && stack === error.stack) return error;
  const code = (error as { code?: unknown }).code;
  return { type: error.name, message, stack, ...(code === undefined ? {} : { code }) };
}
