/**
 * The personas at start-up: the folder loaded, DEFAULT_PERSONA one of them; either problem is a
 * FatalError naming the variable (with the personas there are, for a wrong default).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FatalError } from "../../src/app/fatal.js";
import { loadPersonas, type PersonaSettings } from "../../src/app/load-personas.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "troupe-app-personas-"));
  await writeFile(join(dir, "pirate.md"), "---\ntemperature: 0.9\n---\nYou are a pirate.");
  await writeFile(join(dir, "butler.md"), "---\ntemperature: 0.3\n---\nYou are a butler.");
});
function settings(defaultPersona: string): PersonaSettings {
  return {
    PERSONAS_DIR: dir,
    DEFAULT_PERSONA: defaultPersona,
    PERSONA_MAX_KB: 256,
    CONTEXT_TOKENS: 8192,
    REPLY_TOKENS: 1024,
  };
}
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("loadPersonas", () => {
  it("returns the personas of PERSONAS_DIR when DEFAULT_PERSONA is one of them", async () => {
    const personas = await loadPersonas(settings("pirate"), createRecordingLogger());
    try {
      expect(personas.list().map((persona) => persona.name)).toEqual(["butler", "pirate"]);
      expect(personas.get("pirate")?.systemPrompt).toBe("You are a pirate.");
    } finally {
      personas.close();
    }
  });

  it("fails on an unknown DEFAULT_PERSONA, listing the personas there are", async () => {
    const logger = createRecordingLogger();
    const failure = await loadPersonas(settings("wizard"), logger).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FatalError);
    expect((failure as Error).message).toBe(
      `DEFAULT_PERSONA=wizard is not a persona in ${dir}. Available: butler, pirate.`,
    );
    expect(logger.lines).toContainEqual({
      level: "error",
      message: "DEFAULT_PERSONA is unknown",
      fields: { defaultPersona: "wizard", dir, available: ["butler", "pirate"] },
    });
  });

  it("fails on a folder it cannot load, naming PERSONAS_DIR and what is wrong", async () => {
    await writeFile(join(dir, "broken.md"), "---\ntemprature: 0.5\n---\nBroken.");
    const logger = createRecordingLogger();
    const failure = await loadPersonas(settings("pirate"), logger).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FatalError);
    const cause = (failure as FatalError).cause as Error;
    expect((failure as Error).message).toBe(
      `cannot load the personas in PERSONAS_DIR=${dir}:\n${cause.message}`,
    );
    expect(cause.message).toContain("broken.md");
    expect(cause.message).toContain("temprature");
    const logged = logger.lines.find((line) => line.level === "error");
    expect(logged).toEqual({
      level: "error",
      message: "cannot load the personas",
      fields: { err: cause, dir },
    });
  });

  it("passes PERSONA_MAX_KB on: a larger persona file stops start-up", async () => {
    await writeFile(join(dir, "verbose.md"), `---\ntemperature: 0.5\n---\n${"Talk a lot. ".repeat(200)}`);
    const failure = await loadPersonas(
      { ...settings("pirate"), PERSONA_MAX_KB: 1 },
      createRecordingLogger(),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FatalError);
    expect((failure as Error).message).toContain("verbose.md");
    expect((failure as Error).message).toContain("PERSONA_MAX_KB");
  });

  it("fails on a folder that does not exist", async () => {
    const missing = join(dir, "nowhere");
    await expect(
      loadPersonas({ ...settings("pirate"), PERSONAS_DIR: missing }, createRecordingLogger()),
    ).rejects.toThrow(`cannot load the personas in PERSONAS_DIR=${missing}:\n`);
  });
});
