/** The start-up model check: a log line either way, and a notice for the terminal only when not ready. */
import { expect, it } from "vitest";
import type { ChatModel, ModelHealth } from "../../../src/model/chat-model.js";
import { checkModel } from "../../../src/model/startup/model-notice.js";
import { createRecordingLogger } from "../../helpers/recording-logger.js";
import { createScriptedModel } from "../../helpers/scripted-model.js";

function modelWithHealth(health: ModelHealth): ChatModel {
  return { ...createScriptedModel(), description: "ollama:qwen3:0.6b", check: async () => health };
}

it("logs that the model is ready and has nothing to tell the terminal", async () => {
  const logger = createRecordingLogger();
  expect(await checkModel(modelWithHealth({ ok: true, model: "qwen3:0.6b" }), logger)).toBeUndefined();
  expect(logger.lines).toEqual([
    { level: "info", message: "model is ready", fields: { model: "ollama:qwen3:0.6b" } },
  ]);
});

it("logs the cause and the fix, and gives the terminal the problem, the fix and that troupe keeps running", async () => {
  const logger = createRecordingLogger();
  const health: ModelHealth = {
    ok: false,
    code: "model-missing",
    message: "Ollama has no model qwen3:0.6b.",
    hint: "run `ollama pull qwen3:0.6b`",
  };
  const notice = await checkModel(modelWithHealth(health), logger);
  expect(notice?.split("\n")).toEqual([
    "⚠️  Ollama has no model qwen3:0.6b.",
    "   Fix: run `ollama pull qwen3:0.6b`",
    "   (troupe keeps running; answers will work once the model is there.)",
  ]);
  expect(logger.lines).toEqual([
    {
      level: "warn",
      message: "model is not ready: answers will fail with a short error until it is",
      fields: {
        model: "ollama:qwen3:0.6b",
        code: "model-missing",
        reason: "Ollama has no model qwen3:0.6b.",
        fix: "run `ollama pull qwen3:0.6b`",
      },
    },
  ]);
});
