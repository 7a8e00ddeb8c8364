/** A LoRA adapter the provider does not apply is named once at start, with the fix. */
import { describe, expect, it } from "vitest";
import { logUnappliedAdapters, unappliedAdapters } from "../../src/app/adapter-notice.js";
import { testPersona } from "../helpers/personas.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";

const plain = testPersona("plain");
const loose = testPersona("bard", { adapter: "/p/loras/bard.gguf" });
const compiled = testPersona("keeper", {
  adapter: "/p/loras/keeper.gguf",
  model: "troupe-keeper",
  compiled: { model: "troupe-keeper", current: true },
});
const stale = testPersona("sage", {
  adapter: "/p/loras/sage.gguf",
  model: "troupe-sage",
  compiled: { model: "troupe-sage", current: false },
});

describe("adapters a provider does not apply", () => {
  it("the embedded engine applies every adapter", () => {
    expect(unappliedAdapters([plain, loose, compiled, stale], "embedded")).toEqual([]);
  });

  it("Ollama applies an adapter only through a current compile", () => {
    expect(unappliedAdapters([plain, loose, compiled, stale], "ollama")).toEqual(["bard", "sage"]);
  });

  it("an OpenAI-compatible server never gets the file", () => {
    expect(unappliedAdapters([plain, loose, compiled], "openai")).toEqual(["bard", "keeper"]);
  });

  it("says so in one warning with the fix, and nothing when all is applied", () => {
    const logger = createRecordingLogger();
    logUnappliedAdapters([plain, loose, stale], "ollama", logger);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({ level: "warn", fields: { personas: ["bard", "sage"] } });
    expect(logger.lines[0]?.message).toMatch(/npm run persona -- compile NAME/);
    const quiet = createRecordingLogger();
    logUnappliedAdapters([plain, compiled], "ollama", quiet);
    logUnappliedAdapters([loose], "embedded", quiet);
    expect(quiet.lines).toEqual([]);
  });
});
