/**
 * A model server's URL (OLLAMA_HOST, OPENAI_BASE_URL) split into what each part is for.
 *
 * Why: a reverse proxy with basic auth in front of Ollama or vLLM is a real setup, and the natural
 * way to configure it is `http://user:password@host`. But fetch refuses any URL that carries
 * credentials ("Request cannot be constructed from a URL that includes credentials: <the URL>",
 * password included), so such a URL never worked and leaked the password into the error. Here the
 * credentials leave the URL and become an `Authorization: Basic …` header; the URL the clients see
 * has none, so no library can put the password into an error message. `display` is the URL to print.
 */
import { maskUrl } from "../lib/mask-url.js";

export interface ServerUrl {
  /** The URL without user name and password: what the client library gets. */
  url: string;
  /** `Basic <base64(user:password)>` when the URL carried credentials. */
  basicAuthorization: string | undefined;
  /** The URL as it may be printed: password and query tokens masked. */
  display: string;
}

export function parseServerUrl(value: string): ServerUrl {
  const display = maskUrl(value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Config validates these URLs; an unparsable one is passed on for the client to reject.
    return { url: value, basicAuthorization: undefined, display };
  }
  if (url.username === "" && url.password === "")
    return { url: value, basicAuthorization: undefined, display };
  // The URL keeps them percent-encoded (`p%40ss`); the header carries the real characters.
  const credentials = `${decode(url.username)}:${decode(url.password)}`;
  url.username = "";
  url.password = "";
  let bare = url.toString();
  // `new URL` adds a "/" to an empty path; keep the form the person wrote.
  if (url.search === "" && url.hash === "" && bare.endsWith("/") && !value.endsWith("/")) {
    bare = bare.slice(0, -1);
  }
  return {
    url: bare,
    basicAuthorization: `Basic ${Buffer.from(credentials, "utf8").toString("base64")}`,
    display,
  };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Request headers that carry the URL's credentials: `{ Authorization }`, or undefined without any. */
export function authorizationHeader(server: ServerUrl): Record<string, string> | undefined {
  return server.basicAuthorization === undefined ? undefined : { Authorization: server.basicAuthorization };
}
