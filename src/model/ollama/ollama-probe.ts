/** Is Ollama answering at a host? A quick `GET /api/version` that never throws. */
import { z } from "zod";
import { describeError } from "../server-error-text.js";
import { authorizationHeader, parseServerUrl } from "../server-url.js";
import { isRefusal, refusedCredentials } from "./ollama-errors.js";

const versionReply = z.looseObject({ version: z.string() });

export type ProbeResult = { answers: true; version: string } | { answers: false; reason: string };

/** Short: start-up waits for it, and a local Ollama answers in milliseconds. */
const defaultProbeTimeoutMs = 1_500;

/** `host` may carry `user:password@` (a reverse proxy): sent as basic auth, printed masked. */
export async function probeOllama(
  host: string,
  fetchImpl: typeof fetch = globalThis.fetch,
  timeoutMs = defaultProbeTimeoutMs,
): Promise<ProbeResult> {
  const server = parseServerUrl(host);
  try {
    const response = await fetchImpl(versionUrl(server.url), {
      headers: authorizationHeader(server),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      if (isRefusal(response.status)) {
        const refused = refusedCredentials(
          server.display,
          response.status,
          server.basicAuthorization !== undefined,
        );
        return { answers: false, reason: `${refused.message}: ${refused.hint}` };
      }
      return { answers: false, reason: `HTTP ${response.status} from ${server.display}/api/version` };
    }
    const parsed = versionReply.safeParse(await response.json());
    if (!parsed.success) return { answers: false, reason: `${server.display} answered, but not like Ollama` };
    return { answers: true, version: parsed.data.version };
  } catch (error) {
    return { answers: false, reason: describeError(error) };
  }
}

/** `/api/version` under the host's path, as the ollama client builds its URLs (a proxy may serve Ollama under /ollama). */
function versionUrl(host: string): URL {
  const url = new URL(host);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/api/version`;
  url.search = "";
  url.hash = "";
  return url;
}
