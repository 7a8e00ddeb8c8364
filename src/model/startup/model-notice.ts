/** The start-up check of the model server, as one log line and one line a person can act on. */
import type { Logger } from "../../lib/logger.js";
import type { ChatModel } from "../chat-model.js";

/** Returns a notice for people in the terminal when the model is not ready, else undefined. */
export async function checkModel(model: ChatModel, logger: Logger): Promise<string | undefined> {
  const health = await model.check();
  if (health.ok) {
    logger.info({ model: model.description }, "model is ready");
    return undefined;
  }
  logger.warn(
    { model: model.description, code: health.code, reason: health.message, fix: health.hint },
    "model is not ready: answers will fail with a short error until it is",
  );
  return `⚠️  ${health.message}\n   Fix: ${health.hint}\n   (troupe keeps running; answers will work once the model is there.)`;
}
