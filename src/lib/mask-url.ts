/**
 * URLs as they may be printed: in log lines, error messages, config errors and start-up notices.
 * A URL from the configuration can carry a secret in two places: a password before the "@"
 * (`http://troupe:hunter2@proxy`, `redis://:pw@host`) and a token in the query (`?key=…`,
 * `?access_token=…`, a presigned `X-Amz-Signature=…`). Both are replaced with `***`; everything
 * else (scheme, user name, host, path, harmless query values such as `api-version`) is kept, so the
 * printed URL still says where troupe was talking to.
 *
 * Why our own and not `new URL()`: a value that does not parse must be masked too (a config error
 * prints exactly the value that did not parse), and the printed form should be the one the person
 * wrote, not a normalised one.
 */

const masked = "***";

/** Query parameter names whose values are secrets: key, api_key, token, access_token, secret, sig, … */
const secretParameter = /key|token|secret|passw|pwd|auth|sig|credential|session/i;

/** Schemes whose "URL" is a file path: an "@" there is part of a file name, not a user. */
const pathSchemes = /^(sqlite|file):/i;

/** `user:password@` (or a lone `token@`) right after `scheme://`. */
const schemeUserInfo = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i;

/** `user:password@host` without a scheme, as OLLAMA_HOST accepts; not a path (`./`, `/`, `~`). */
const bareUserInfo = /^(?![./~])([^/?#\s]*)@(?=[^/?#\s@]+)/;

/** One URL: the password (or a user-info without a user name) and secret query values masked. */
export function maskUrl(url: string): string {
  if (pathSchemes.test(url)) return url;
  const withoutPassword = schemeUserInfo.test(url)
    ? url.replace(
        schemeUserInfo,
        (_, scheme: string, userInfo: string) => `${scheme}${maskUserInfo(userInfo)}@`,
      )
    : url.replace(bareUserInfo, (_, userInfo: string) => `${maskUserInfo(userInfo)}@`);
  return maskQuery(withoutPassword);
}

/** Every URL inside a longer text (a library's error message), each masked as `maskUrl` does. */
export function maskUrlsIn(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()]+/gi, (url) => maskUrl(url));
}

/** The user name stays (it says which account); the password, or a lone token, does not. */
function maskUserInfo(userInfo: string): string {
  const separator = userInfo.indexOf(":");
  return separator === -1 ? masked : `${userInfo.slice(0, separator + 1)}${masked}`;
}

function maskQuery(url: string): string {
  const start = url.indexOf("?");
  if (start === -1) return url;
  const end = url.indexOf("#", start);
  const query = url.slice(start + 1, end === -1 ? undefined : end);
  const maskedQuery = query
    .split("&")
    .map((pair) => {
      const equals = pair.indexOf("=");
      if (equals === -1) return pair;
      const name = pair.slice(0, equals);
      return secretParameter.test(safeDecode(name)) ? `${name}=${masked}` : pair;
    })
    .join("&");
  return `${url.slice(0, start + 1)}${maskedQuery}${end === -1 ? "" : url.slice(end)}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
