/**
 * The personas at start-up: the folder loaded, DEFAULT_PERSONA one of them. A broken persona file
 * is skipped, unless it is the default persona's: then start-up stops naming the file, the line and
 * the fix. A folder where nothing loads, and a DEFAULT_PERSONA that names no persona at all, stop it
 * too: each a FatalError naming the variable.
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

async function failure(config: PersonaSettings, logger = createRecordingLogger()): Promise<FatalError> {
  const error = await loadPersonas(config, logger).then(
    (personas) => {
      personas.close();
      return undefined;
    },
    (reason: unknown) => reason,
  );
  if (error instanceof FatalError) return error;
  throw new Error(`expected a FatalError, got ${String(error)}`);
}

const typo = "---\ntemperature: 0.5\ntemprature: 0.5\n---\nBroken.";

describe("loadPersonas", () => {
  it("returns the personas of PERSONAS_DIR when DEFAULT_PERSONA is one of them", async () => {
    const personas = await loadPersonas(settings("pirate"), createRecordingLogger());
    try {
      expect(personas.list().map((persona) => persona.name)).toEqual(["butler", "pirate"]);
      expect(personas.get("pirate")?.systemPrompt).toBe("You are a pirate.");
      expect(personas.startup).toEqual({ skipped: [], warnings: [] });
    } finally {
      personas.close();
    }
  });

  it("skips a broken persona file that is not the default, with a warning naming its file and line", async () => {
    await writeFile(join(dir, "broken.md"), typo);
    const logger = createRecordingLogger();
    const personas = await loadPersonas(settings("pirate"), logger);
    try {
      expect(personas.list().map((persona) => persona.name)).toEqual(["butler", "pirate"]);
      expect(personas.startup.skipped.map((refusal) => refusal.fileName)).toEqual(["broken.md"]);
      const warnings = logger.lines.filter((line) => line.level === "warn");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.fields).toMatchObject({
        file: join(dir, "broken.md"),
        line: 3,
        field: "temprature",
      });
      expect(warnings[0]?.message).toContain(`${join(dir, "broken.md")}:3: field "temprature"`);
    } finally {
      personas.close();
    }
  });

  it("stops when the default persona's file is broken, naming the file, the line and the fix", async () => {
    await writeFile(join(dir, "pirate.md"), typo);
    const logger = createRecordingLogger();
    const error = await failure(settings("pirate"), logger);
    const [first, problem, fix, ...rest] = error.message.split("\n");
    expect(first).toBe("DEFAULT_PERSONA=pirate is in a persona file that cannot be loaded:");
    expect(problem).toMatch(/^ {2}.*: field "temprature": unknown field; did you mean "temperature"\?/);
    expect(problem?.startsWith(`  ${join(dir, "pirate.md")}:3: `)).toBe(true);
    expect(fix).toBe(
      "Fix the file and start troupe again, or set DEFAULT_PERSONA to a persona that loaded: butler.",
    );
    expect(rest).toEqual([]);
    expect(logger.lines.find((line) => line.level === "error")).toMatchObject({
      message: "DEFAULT_PERSONA's file cannot be loaded",
      fields: { defaultPersona: "pirate", file: join(dir, "pirate.md") },
    });
  });

  it("stops for the default persona's file refused for its size or its prompt, like a typo", async () => {
    await writeFile(join(dir, "verbose.md"), `---\ntemperature: 0.5\n---\n${"Talk a lot. ".repeat(200)}`);
    const tooBig = await failure({ ...settings("verbose"), PERSONA_MAX_KB: 1 });
    expect(tooBig.message).toContain(`${join(dir, "verbose.md")}: 3 KB is over PERSONA_MAX_KB=1`);

    // A persona named in its front matter is matched by that name, not its file name.
    await writeFile(join(dir, "epic.md"), `---\nname: saga\n---\n${"x".repeat(30_000)}`);
    const tooLong = await failure(settings("saga"));
    expect(tooLong.message).toContain("DEFAULT_PERSONA=saga is in a persona file that cannot be loaded");
    expect(tooLong.message).toContain(`${join(dir, "epic.md")}: the prompt is about 9,379 tokens`);
  });

  it("passes PERSONA_MAX_KB on: a larger persona file is skipped", async () => {
    await writeFile(join(dir, "verbose.md"), `---\ntemperature: 0.5\n---\n${"Talk a lot. ".repeat(200)}`);
    const personas = await loadPersonas(
      { ...settings("pirate"), PERSONA_MAX_KB: 1 },
      createRecordingLogger(),
    );
    try {
      expect(personas.get("verbose")).toBeUndefined();
      expect(personas.startup.skipped.map((refusal) => refusal.problems[0].reason)).toEqual([
        expect.stringContaining("PERSONA_MAX_KB=1"),
      ]);
    } finally {
      personas.close();
    }
  });

  it("fails on an unknown DEFAULT_PERSONA, listing the personas there are", async () => {
    const logger = createRecordingLogger();
    const error = await failure(settings("wizard"), logger);
    expect(error.message).toBe(
      `DEFAULT_PERSONA=wizard is not a persona in ${dir}. Available: butler, pirate.`,
    );
    expect(logger.lines).toContainEqual({
      level: "error",
      message: "DEFAULT_PERSONA is unknown",
      fields: { defaultPersona: "wizard", dir, available: ["butler", "pirate"] },
    });
  });

  it("lists the files not loaded with an unknown DEFAULT_PERSONA: one may be meant as it", async () => {
    // Named in its front matter, the persona cannot be told from a file that does not parse.
    await writeFile(join(dir, "merlin.md"), "---\nname: wizard\ntemprature: 0.5\n---\nMagic.");
    const error = await failure(settings("wizard"));
    const [first, heading, problem, ...rest] = error.message.split("\n");
    expect(first).toBe(`DEFAULT_PERSONA=wizard is not a persona in ${dir}. Available: butler, pirate.`);
    expect(heading).toBe("Not loaded, for problems (one may be meant as wizard):");
    expect(problem?.startsWith(`  ${join(dir, "merlin.md")}:3: field "temprature": unknown field`)).toBe(
      true,
    );
    expect(rest).toEqual([]);
  });

  it("fails when no persona loads, naming PERSONAS_DIR and every problem", async () => {
    await writeFile(join(dir, "pirate.md"), typo);
    await writeFile(join(dir, "butler.md"), "---\ntop_p: 7\n---\nServe.");
    const logger = createRecordingLogger();
    const error = await failure(settings("pirate"), logger);
    const cause = error.cause as Error;
    expect(error.message).toBe(`cannot load the personas in PERSONAS_DIR=${dir}:\n${cause.message}`);
    expect(cause.message).toContain(`${join(dir, "butler.md")}:2: field "top_p"`);
    expect(cause.message).toContain(`${join(dir, "pirate.md")}:3: field "temprature"`);
    expect(logger.lines.find((line) => line.level === "error")).toEqual({
      level: "error",
      message: "cannot load the personas",
      fields: { err: cause, dir },
    });
  });

  it("fails on a folder that does not exist", async () => {
    const missing = join(dir, "nowhere");
    await expect(
      loadPersonas({ ...settings("pirate"), PERSONAS_DIR: missing }, createRecordingLogger()),
    ).rejects.toThrow(`cannot load the personas in PERSONAS_DIR=${missing}:\n`);
  });
});
