/** Is Ollama answering at a host? A quick `GET /api/version` that never throws. */
import { z } from "zod";
import { describeError } from "../server-error-text.js";

const versionReply = z.looseObject({ version: z.string() });

export type ProbeResult = { answers: true; version: string } | { answers: false; reason: string };

/** Short: start-up waits for it, and a local Ollama answers in milliseconds. */
const defaultProbeTimeoutMs = 1_500;

export async function probeOllama(
  host: string,
  fetchImpl: typeof fetch = globalThis.fetch,
  timeoutMs = defaultProbeTimeoutMs,
): Promise<ProbeResult> {
  try {
    const response = await fetchImpl(new URL("/api/version", host), {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return { answers: false, reason: `HTTP ${response.status} from ${host}/api/version` };
    }
    const parsed = versionReply.safeParse(await response.json());
    if (!parsed.success) return { answers: false, reason: `${host} answered, but not like Ollama` };
    return { answers: true, version: parsed.data.version };
  } catch (error) {
    return { answers: false, reason: describeError(error) };
  }
}
