import { expect, it } from "vitest";
import { sameModelName } from "../../src/model/model-name.js";

it("treats a missing tag as :latest, and nothing else as equal", () => {
  expect(sameModelName("llama3.2", "llama3.2:latest")).toBe(true);
  expect(sameModelName("llama3.2:latest", "Llama3.2")).toBe(true);
  expect(sameModelName("llama3.2:1b", "llama3.2")).toBe(false);
  expect(sameModelName("registry.local:5000/team/model", "registry.local:5000/team/model:latest")).toBe(true);
  expect(sameModelName("qwen2.5", "qwen2")).toBe(false);
});
