/** The start-up check of an OpenAI-compatible server: is it up (`GET /models`) and the model listed? */
import { APIError, type OpenAI } from "openai";
import type { ModelHealth } from "../chat-model.js";
import { sameModelName } from "../model-name.js";
import { describeError } from "../server-error-text.js";
import { isRefusal, refusedCredentials, type SentCredentials } from "./openai-errors.js";

const checkTimeoutMs = 5_000;

/** Never throws. `baseURL` is the URL as it may be printed (masked). */
export async function checkOpenAI(
  client: OpenAI,
  baseURL: string,
  credentials: SentCredentials,
  model: string,
): Promise<ModelHealth> {
  let ids: string[];
  try {
    const page = await client.models.list({ timeout: checkTimeoutMs, maxRetries: 0 });
    ids = page.data.map((entry) => entry.id);
  } catch (error) {
    // Some compatible servers have no /models route: reachable is the best we can learn.
    if (error instanceof APIError && error.status === 404) return { ok: true, model };
    if (error instanceof APIError && isRefusal(error.status)) {
      return { ok: false, code: "unauthorized", ...refusedCredentials(baseURL, error.status, credentials) };
    }
    return {
      ok: false,
      code: "unavailable",
      message: `cannot reach ${baseURL}: ${describeError(error)}`,
      hint: "check OPENAI_BASE_URL and that the server is running",
    };
  }
  if (ids.some((id) => sameModelName(id, model))) return { ok: true, model };
  const listed = ids.length > 0 ? ids.slice(0, 5).join(", ") : "none";
  return {
    ok: false,
    code: "model-missing",
    message: `model "${model}" is not served at ${baseURL}`,
    hint: `use a model the server lists (${listed}) or load "${model}" there`,
  };
}
