/** The start-up check of an Ollama server: is it up (`GET /api/tags`) and the model pulled? */
import { Ollama } from "ollama";
import type { ModelHealth } from "../chat-model.js";
import { sameModelName } from "../model-name.js";
import { describeError } from "../server-error-text.js";
import { authorizationHeader, type ServerUrl } from "../server-url.js";
import { isRefusal, refusedCredentials, responseStatus } from "./ollama-errors.js";

/** A health check must answer quickly; the ollama client has no timeout, so the fetch gets one. */
const checkTimeoutMs = 5_000;

/** Never throws. `baseFetch` already turns non-JSON error bodies into Ollama's shape. */
export async function checkOllama(
  server: ServerUrl,
  model: string,
  baseFetch: typeof fetch,
): Promise<ModelHealth> {
  const client = new Ollama({
    host: server.url,
    headers: authorizationHeader(server),
    fetch: (input, init) => baseFetch(input, { ...init, signal: AbortSignal.timeout(checkTimeoutMs) }),
  });
  let names: string[];
  try {
    const list = await client.list();
    names = list.models.flatMap((entry) => [entry.name, entry.model]);
  } catch (error) {
    const status = responseStatus(error);
    if (status !== undefined && isRefusal(status)) {
      return {
        ok: false,
        code: "unauthorized",
        ...refusedCredentials(server.display, status, server.basicAuthorization !== undefined),
      };
    }
    if (status !== undefined) {
      return {
        ok: false,
        code: "bad-response",
        message: `${server.display} answered /api/tags with HTTP ${status}: ${describeError(error)}`,
        hint: "check that OLLAMA_HOST is an Ollama server",
      };
    }
    return {
      ok: false,
      code: "unavailable",
      message: `cannot reach Ollama at ${server.display}: ${describeError(error)}`,
      hint: "start Ollama (`ollama serve`) or set OLLAMA_HOST",
    };
  }
  if (names.some((name) => sameModelName(name, model))) return { ok: true, model };
  return {
    ok: false,
    code: "model-missing",
    message: `model "${model}" is not on the Ollama server at ${server.display}`,
    hint: `run \`ollama pull ${model}\``,
  };
}
