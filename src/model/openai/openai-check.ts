import { APIError, type OpenAI } from "openai";
import type { ModelHealth } from "../chat-model.js";
import { sameModelName } from "../model-name.js";
import { describeError } from "../server-error-text.js";

const checkTimeoutMs = 5_000;

/** Is the server up (`GET /models`) and the model listed? Never throws. */
export async function checkOpenAI(client: OpenAI, baseURL: string, model: string): Promise<ModelHealth> {
  let ids: string[];
  try {
    const page = await client.models.list({ timeout: checkTimeoutMs, maxRetries: 0 });
    ids = page.data.map((entry) => entry.id);
  } catch (error) {
    // Some compatible servers have no /models route: reachable is the best we can learn.
    if (error instanceof APIError && error.status === 404) return { ok: true, model };
    if (error instanceof APIError && (error.status === 401 || error.status === 403)) {
      return {
        ok: false,
        code: "bad-response",
        message: `the server at ${baseURL} refused the credentials: ${error.message}`,
        hint: "check OPENAI_API_KEY",
      };
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
