/**
 * STORE_URL as it may appear in messages and logs: whatever sits before the "@" of a network URL
 * may be a password, so it is masked (the user name is kept when a ":" separates the two).
 */
export function redactUrl(url: string): string {
  // sqlite://<path> has no credentials, and a path may contain "@".
  if (/^sqlite:/i.test(url)) return url;
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i, (_, scheme: string, userInfo: string) => {
    const separator = userInfo.indexOf(":");
    return `${scheme}${separator === -1 ? "***" : `${userInfo.slice(0, separator + 1)}***`}@`;
  });
}
