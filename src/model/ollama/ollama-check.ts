import { Ollama } from "ollama";
import type { ModelHealth } from "../chat-model.js";
import { sameModelName } from "../model-name.js";
import { describeError } from "../server-error-text.js";

/** A health check must answer quickly; the ollama client has no timeout, so the fetch gets one. */
const checkTimeoutMs = 5_000;

/** Is Ollama up (`GET /api/tags`) and the model pulled? Never throws. */
export async function checkOllama(
  host: string,
  model: string,
  baseFetch: typeof fetch,
): Promise<ModelHealth> {
  const client = new Ollama({
    host,
    fetch: (input, init) => baseFetch(input, { ...init, signal: AbortSignal.timeout(checkTimeoutMs) }),
  });
  let names: string[];
  try {
    const list = await client.list();
    names = list.models.flatMap((entry) => [entry.name, entry.model]);
  } catch (error) {
    return {
      ok: false,
      code: "unavailable",
      message: `cannot reach Ollama at ${host}: ${describeError(error)}`,
      hint: "start Ollama (`ollama serve`) or set OLLAMA_HOST",
    };
  }
  if (names.some((name) => sameModelName(name, model))) return { ok: true, model };
  return {
    ok: false,
    code: "model-missing",
    message: `model "${model}" is not on the Ollama server at ${host}`,
    hint: `run \`ollama pull ${model}\``,
  };
}
