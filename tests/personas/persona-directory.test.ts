import { mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  loadPersonaDirectory,
  type PersonaChange,
  type PersonaDirectory,
  PersonaDirectoryError,
} from "../../src/personas/persona-directory.js";
import {
  createRecordingLogger,
  createTempDir,
  type RecordingLogger,
  removeTempDir,
  waitFor,
} from "./persona-test-helpers.js";

let dir: string;
let logger: RecordingLogger;
const opened: PersonaDirectory[] = [];

beforeEach(async () => {
  dir = await createTempDir();
  logger = createRecordingLogger();
});

afterEach(async () => {
  for (const directory of opened.splice(0)) directory.close();
  await removeTempDir(dir);
});

async function write(fileName: string, text: string): Promise<void> {
  await writeFile(join(dir, fileName), text);
}

async function open(options: { debounceMs?: number; watch?: boolean } = {}): Promise<PersonaDirectory> {
  const directory = await loadPersonaDirectory(dir, { logger, debounceMs: 30, ...options });
  opened.push(directory);
  return directory;
}

async function startUpError(): Promise<PersonaDirectoryError> {
  const error = await open().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (error instanceof PersonaDirectoryError) return error;
  throw new Error(`expected a PersonaDirectoryError, got ${String(error)}`);
}

const warnings = () => logger.records.filter((record) => record.level === "warn");
// An editor's save can be seen half-written (an empty file) first; that earns its own warning, so
// tests look for the warning about their own edit rather than the first one.
const warningAbout = (field: string) => warnings().find((record) => record.fields.field === field);
const infoMessages = () =>
  logger.records.filter((record) => record.level === "info").map((record) => record.message);

describe("loadPersonaDirectory at start-up", () => {
  it("loads every persona file sorted by name, skipping README.md, dotfiles, other files and folders", async () => {
    await write("tutor.md", "Teach.");
    await write("coder.md", "---\ntemperature: 0.2\n---\nCode.");
    await write("README.md", "Notes for admins, not a persona.");
    await write(".draft.md", "A hidden draft.");
    await write("notes.txt", "Not Markdown.");
    await mkdir(join(dir, "archive.md"));

    const directory = await open({ watch: false });

    expect(directory.list().map((persona) => persona.name)).toEqual(["coder", "tutor"]);
    expect(directory.get("coder")).toMatchObject({ temperature: 0.2, source: join(dir, "coder.md") });
    expect(directory.get("readme")).toBeUndefined();
    expect(infoMessages()).toContain("personas loaded");
  });

  it("skips each broken file with one warning naming its file, line, field and reason, and loads the rest", async () => {
    await write("a.md", "---\ntemperature: hot\n---\nA.");
    await write("b.md", "---\nname: b\ntemprature: 0.5\n---\nB.");
    await write("c.md", "---\nname: c\n---\n");
    await write("good.md", "Fine.");

    const directory = await open({ watch: false });

    expect(directory.list().map((persona) => persona.name)).toEqual(["good"]);
    expect(directory.startup.skipped.map((refusal) => refusal.fileName)).toEqual(["a.md", "b.md", "c.md"]);
    expect(warnings().map((record) => record.fields)).toEqual([
      {
        file: join(dir, "a.md"),
        line: 2,
        field: "temperature",
        reason: 'must be a number, got the text "hot"',
      },
      expect.objectContaining({ file: join(dir, "b.md"), line: 3, field: "temprature" }),
      expect.objectContaining({ file: join(dir, "c.md"), line: 4 }),
    ]);
    expect(warningAbout("temprature")?.fields.reason).toMatch(/^unknown field; did you mean "temperature"\?/);
    expect(warningAbout("temperature")?.message).toBe(
      `invalid persona file, not loaded: ${join(dir, "a.md")}:2: field "temperature": must be a number, got the text "hot"`,
    );
    expect(logger.records.find((record) => record.message === "personas loaded")?.fields).toMatchObject({
      personas: ["good"],
      skipped: ["a.md", "b.md", "c.md"],
    });
  });

  it("skips a persona whose LoRA adapter file is missing, naming the file, line and fix; loads it with the file there", async () => {
    await write("bard.md", "---\nname: bard\nadapter: loras/bard.gguf\n---\nSing.");
    await write("good.md", "Fine.");
    const directory = await open({ watch: false });
    expect(directory.get("bard")).toBeUndefined();
    expect(warningAbout("adapter")?.fields).toMatchObject({
      file: join(dir, "bard.md"),
      line: 3,
      field: "adapter",
    });
    expect(warningAbout("adapter")?.fields.reason).toMatch(
      /^the LoRA adapter .*loras\/bard\.gguf does not exist: put the adapter's GGUF file there/,
    );
    await mkdir(join(dir, "loras"));
    await write("loras/bard.gguf", "GGUF");
    const again = await open({ watch: false });
    expect(again.get("bard")?.adapter).toBe(join(dir, "loras", "bard.gguf"));
  });

  it("skips a persona whose avatar: file is missing, naming the file, line and fix; knows the picture once it is there", async () => {
    await write(
      "sailor.md",
      "---\nname: sailor\ndescription: A sailor.\navatar: avatars/sailor.png\n---\nSail.",
    );
    await write("good.md", "Fine.");
    const directory = await open({ watch: false });
    expect(directory.get("sailor")).toBeUndefined();
    expect(warningAbout("avatar")?.fields).toMatchObject({
      file: join(dir, "sailor.md"),
      line: 4,
      field: "avatar",
    });
    expect(warningAbout("avatar")?.fields.reason).toMatch(
      /^the picture .*avatars\/sailor\.png does not exist: put the picture there .*or put the picture's https URL in avatar:/,
    );
    await mkdir(join(dir, "avatars"));
    await write("avatars/sailor.png", "PNG");
    const again = await open({ watch: false });
    expect(again.get("sailor")).toMatchObject({ avatar: "avatars/sailor.png", avatarFile: "sailor.png" });
  });

  it("refuses an avatar: file that is not a picture, and serves none from outside PERSONAS_DIR/avatars", async () => {
    await write("notes.md", "---\nname: notes\navatar: notes.txt\n---\nNote.");
    await write("notes.txt", "words");
    await write("beside.md", "---\nname: beside\navatar: beside.png\n---\nHi.");
    await write("beside.png", "PNG");
    await write("web.md", "---\nname: web\navatar: https://example.com/web.png\n---\nHi.");
    const directory = await open({ watch: false });
    expect(directory.get("notes")).toBeUndefined();
    expect(warningAbout("avatar")?.fields.reason).toMatch(/notes\.txt is not a PNG, JPEG, WebP or GIF file/);
    expect(directory.get("beside")?.avatar).toBe("beside.png");
    expect(directory.get("beside")?.avatarFile).toBeUndefined();
    expect(directory.get("web")?.avatarFile).toBeUndefined();
  });

  it("warns once that a persona changed since it was compiled", async () => {
    await write(
      "bard.md",
      `---\nname: bard\nmodel: troupe-bard\ncompiled: sha256:${"0".repeat(64)}\n---\nSing.`,
    );
    const directory = await open({ watch: false });
    expect(directory.get("bard")?.compiled).toEqual({ model: "troupe-bard", current: false });
    const stale = warnings().filter((record) => record.message.includes("changed since it was compiled"));
    expect(stale).toHaveLength(1);
    expect(stale[0]?.message).toContain("npm run persona -- compile bard");
  });

  it("stops only when no persona is left, listing every problem in every file in one error", async () => {
    await write("a.md", "---\ntemperature: hot\n---\nA.");
    await write("b.md", "---\nname: b\ntemprature: 0.5\ntop_p: 7\n---\nB.");
    await write("c.md", "---\nname: c\n---\n");

    const error = await startUpError();

    expect(error.problems).toEqual([
      `${join(dir, "a.md")}:2: field "temperature": must be a number, got the text "hot"`,
      expect.stringContaining(`${join(dir, "b.md")}:3: field "temprature": unknown field`),
      `${join(dir, "b.md")}:4: field "top_p": must be at most 1, got 7`,
      expect.stringContaining(`${join(dir, "c.md")}:4: the system prompt is empty`),
      `${dir}: no persona is left to load: fix the files above`,
    ]);
    expect(error.message).toMatch(/^5 problems in the persona directory/);
    for (const problem of error.problems) expect(error.message).toContain(problem);
  });

  it("skips the second file claiming a name, naming both files, and lets it in once the name is free", async () => {
    await write("tutor.md", "Teach.");
    await write("teacher.md", "---\nemoji: 🍎\nname: tutor\n---\nAlso teach.");

    const directory = await open();

    expect(directory.get("tutor")?.systemPrompt).toBe("Teach.");
    expect(directory.startup.skipped.map((refusal) => refusal.problems)).toEqual([
      [
        {
          file: join(dir, "teacher.md"),
          line: 3,
          field: "name",
          reason: `the persona name "tutor" is already used by ${join(dir, "tutor.md")}: names must be unique, rename one of them`,
        },
      ],
    ]);
    expect(warningAbout("name")?.fields).toMatchObject({ file: join(dir, "teacher.md"), line: 3 });

    await rm(join(dir, "tutor.md"));

    await waitFor(
      "teacher.md to take the name",
      () => directory.get("tutor")?.systemPrompt === "Also teach.",
    );
  });

  it("loads a file skipped at start-up once it is fixed, without a restart, and tells listeners", async () => {
    await write("tutor.md", "Teach.");
    await write("coder.md", "---\ntemprature: 0.2\n---\nCode.");
    const directory = await open();
    const seen: PersonaChange[] = [];
    directory.onChange((changes) => seen.push(...changes));
    expect(directory.get("coder")).toBeUndefined();

    await write("coder.md", "---\ntemperature: 0.2\n---\nCode.");

    await waitFor("coder to appear", () => directory.get("coder") !== undefined);
    expect(directory.get("coder")?.temperature).toBe(0.2);
    expect(seen).toContainEqual({ kind: "added", fileName: "coder.md", name: "coder" });
  });

  it("refuses an empty directory, one with only a README, and a missing one", async () => {
    expect((await startUpError()).message).toContain("has no persona files (*.md");
    await write("README.md", "Just notes.");
    expect((await startUpError()).message).toContain("has no persona files (*.md");
    await rm(dir, { recursive: true });
    expect((await startUpError()).message).toContain("does not exist: create it");
  });
});

describe("loadPersonaDirectory while running", () => {
  it("adds a new valid file and tells listeners", async () => {
    await write("tutor.md", "Teach.");
    const directory = await open();
    const seen: PersonaChange[] = [];
    directory.onChange((changes) => seen.push(...changes));

    await write("coder.md", "Code.");

    await waitFor("coder to appear", () => directory.get("coder") !== undefined);
    expect(directory.list().map((persona) => persona.name)).toEqual(["coder", "tutor"]);
    expect(seen).toContainEqual({ kind: "added", fileName: "coder.md", name: "coder" });
    expect(infoMessages()).toContain('persona "coder" added');
  });

  it("replaces a changed file's persona", async () => {
    await write("tutor.md", "Teach.");
    const directory = await open();

    await write("tutor.md", "---\ntemperature: 0.4\n---\nTeach better.");

    await waitFor("the new prompt", () => directory.get("tutor")?.systemPrompt === "Teach better.");
    expect(directory.get("tutor")?.temperature).toBe(0.4);
    expect(infoMessages()).toContain('persona "tutor" updated');
  });

  it("picks up a save that renames a temporary file over the original", async () => {
    await write("tutor.md", "Teach.");
    const directory = await open();

    await write(".tutor.md.swp", "Teach, saved atomically.");
    await rename(join(dir, ".tutor.md.swp"), join(dir, "tutor.md"));

    await waitFor(
      "the saved prompt",
      () => directory.get("tutor")?.systemPrompt === "Teach, saved atomically.",
    );
  });

  it("drops a removed file's persona", async () => {
    await write("tutor.md", "Teach.");
    await write("coder.md", "Code.");
    const directory = await open();

    await rm(join(dir, "coder.md"));

    await waitFor("coder to go", () => directory.get("coder") === undefined);
    expect(directory.list().map((persona) => persona.name)).toEqual(["tutor"]);
    expect(infoMessages()).toContain('persona "coder" removed');
  });

  it("keeps the last good version of a file broken while running, warns, and takes the fix", async () => {
    await write("tutor.md", "---\ntemperature: 0.5\n---\nTeach.");
    const directory = await open();
    const seen: PersonaChange[] = [];
    directory.onChange((changes) => seen.push(...changes));

    await write("tutor.md", "---\ntemperature: 0.5\ntop_p: 7\n---\nTeach, broken.");

    await waitFor("a warning about top_p", () => warningAbout("top_p") !== undefined);
    expect(warningAbout("top_p")?.fields).toMatchObject({
      file: join(dir, "tutor.md"),
      line: 3,
      field: "top_p",
      reason: "must be at most 1, got 7",
      persona: "tutor",
    });
    expect(warningAbout("top_p")?.message).toContain("keeping the last good version");
    expect(directory.get("tutor")?.systemPrompt).toBe("Teach.");
    expect(seen).toContainEqual({
      kind: "rejected",
      fileName: "tutor.md",
      name: "tutor",
      problem: `${join(dir, "tutor.md")}:3: field "top_p": must be at most 1, got 7`,
    });

    await write("tutor.md", "---\ntemperature: 0.5\ntop_p: 0.7\n---\nTeach, fixed.");

    await waitFor("the fix", () => directory.get("tutor")?.systemPrompt === "Teach, fixed.");
    expect(directory.get("tutor")?.topP).toBe(0.7);
  });

  it("keeps the last good version of a file that can no longer be read, and warns", async () => {
    await write("tutor.md", "Teach.");
    const directory = await open();
    const seen: PersonaChange[] = [];
    directory.onChange((changes) => seen.push(...changes));

    // A link to itself fails to read with ELOOP even for root, unlike a chmod 000 file; renamed
    // over the original in one step, so the file never looks removed in between.
    await symlink("tutor.md", join(dir, ".tutor.md.link"));
    await rename(join(dir, ".tutor.md.link"), join(dir, "tutor.md"));

    const unreadable = () =>
      warnings().find((record) => record.message.startsWith("cannot read persona file"));
    await waitFor("a warning that the file cannot be read", () => unreadable() !== undefined);
    expect(unreadable()?.fields).toMatchObject({ file: join(dir, "tutor.md"), persona: "tutor" });
    expect(unreadable()?.message).toContain("keeping the last good version");
    expect(directory.get("tutor")?.systemPrompt).toBe("Teach.");
    expect(directory.list().map((persona) => persona.name)).toEqual(["tutor"]);
    expect(seen).toContainEqual({
      kind: "rejected",
      fileName: "tutor.md",
      name: "tutor",
      problem: expect.stringContaining(`${join(dir, "tutor.md")}: cannot be read: ELOOP`),
    });
  });

  it("does not load a new broken file, and warns", async () => {
    await write("tutor.md", "Teach.");
    const directory = await open();

    await write("coder.md", "---\nlanguage: ts\n---\nCode.");

    await waitFor("a warning about language", () => warningAbout("language") !== undefined);
    expect(warningAbout("language")?.fields).toMatchObject({ file: join(dir, "coder.md"), line: 2 });
    expect(warningAbout("language")?.message).toContain("not loaded");
    expect(directory.get("coder")).toBeUndefined();
  });

  it("refuses a file claiming a name another file owns, then lets it in once the name is free", async () => {
    await write("tutor.md", "Teach.");
    await write("teacher.md", "Teach too.");
    const directory = await open();

    await write("teacher.md", "---\nname: tutor\n---\nI want to be the tutor.");

    await waitFor("a warning about the name", () => warningAbout("name") !== undefined);
    expect(warningAbout("name")?.message).toContain(`is already used by ${join(dir, "tutor.md")}`);
    expect(directory.get("tutor")?.systemPrompt).toBe("Teach.");
    expect(directory.get("teacher")?.systemPrompt).toBe("Teach too.");

    await rm(join(dir, "tutor.md"));

    await waitFor(
      "teacher.md to take the name",
      () => directory.get("tutor")?.systemPrompt === "I want to be the tutor.",
    );
    expect(directory.get("teacher")).toBeUndefined();
  });

  it("stops watching on close()", async () => {
    await write("tutor.md", "Teach.");
    const closed = await open({ debounceMs: 1 });
    const closedChanges: PersonaChange[] = [];
    closed.onChange((changes) => closedChanges.push(...changes));
    // A control instance with a much longer debounce: once it has reloaded, a closed instance that
    // was still watching would have reloaded long before, so no fixed sleep is needed.
    const control = await open({ debounceMs: 100 });
    closed.close();

    await write("coder.md", "Code.");

    await waitFor("the control instance to see coder", () => control.get("coder") !== undefined);
    expect(closed.get("coder")).toBeUndefined();
    expect(closed.list().map((persona) => persona.name)).toEqual(["tutor"]);
    expect(closedChanges).toEqual([]);
  });
});
