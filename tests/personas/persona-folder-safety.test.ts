/**
 * Only regular files inside PERSONAS_DIR become personas: a link leaving the folder, a dangling
 * link, a FIFO, a socket or a directory named `x.md` is skipped with a warning naming it, at
 * start-up and while running, and never opened (opening a FIFO blocks until a writer comes).
 */
import { execFileSync } from "node:child_process";
import { mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
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

let root: string;
let dir: string;
let outside: string;
let logger: RecordingLogger;
const opened: PersonaDirectory[] = [];
const servers: Server[] = [];

beforeEach(async () => {
  // The persona folder and a sibling outside it, in one temp dir removed afterwards.
  root = await createTempDir();
  dir = join(root, "personas");
  outside = join(root, "elsewhere");
  await mkdir(dir);
  await mkdir(outside);
  logger = createRecordingLogger();
});

afterEach(async () => {
  for (const directory of opened.splice(0)) directory.close();
  for (const server of servers.splice(0)) server.close();
  await removeTempDir(root);
});

async function write(path: string, text: string): Promise<void> {
  await writeFile(path, text);
}

function mkfifo(path: string): void {
  execFileSync("mkfifo", [path]);
}

async function open(options: { watch?: boolean } = {}): Promise<PersonaDirectory> {
  const directory = await loadPersonaDirectory(dir, { logger, debounceMs: 30, ...options });
  opened.push(directory);
  return directory;
}

const names = (directory: PersonaDirectory) => directory.list().map((persona) => persona.name);
const skipWarning = (fileName: string) =>
  logger.records.find(
    (record) =>
      record.level === "warn" &&
      record.fields.file === join(dir, fileName) &&
      record.message.startsWith(`skipping ${join(dir, fileName)}: it `),
  );

describe("the persona folder at start-up", () => {
  it("skips a link to a file outside the folder, naming it, and never reads the file", async () => {
    await write(join(dir, "tutor.md"), "Teach.");
    await write(join(outside, "secret.md"), "---\nname: leak\n---\nTHE SECRET TEXT");
    await symlink(join(outside, "secret.md"), join(dir, "leak.md"));
    await symlink("/etc/passwd", join(dir, "passwd.md"));

    const directory = await open({ watch: false });

    expect(names(directory)).toEqual(["tutor"]);
    expect(directory.list().some((persona) => persona.systemPrompt.includes("SECRET"))).toBe(false);
    expect(skipWarning("leak.md")?.fields.reason).toBe(
      `is a link to ${join(outside, "secret.md")}, outside PERSONAS_DIR: only files inside the folder are read`,
    );
    expect(skipWarning("passwd.md")?.fields.reason).toContain(
      "is a link to /etc/passwd, outside PERSONAS_DIR",
    );
  });

  it("allows a link inside the folder to a file inside it, and reads it", async () => {
    await mkdir(join(dir, "drafts"));
    await write(join(dir, "drafts", "teacher.md"), "---\nname: teacher\n---\nTeach from a draft.");
    await write(join(dir, "tutor.md"), "Teach.");
    await symlink("drafts/teacher.md", join(dir, "teacher.md"));
    await symlink("tutor.md", join(dir, "tutor-alias.md"));

    // The alias claims "tutor-alias" (its own file name), so both links are personas of their own.
    const directory = await open({ watch: false });

    expect(names(directory)).toEqual(["teacher", "tutor", "tutor-alias"]);
    expect(directory.get("teacher")?.systemPrompt).toBe("Teach from a draft.");
    expect(directory.get("tutor-alias")?.systemPrompt).toBe("Teach.");
    expect(logger.records.filter((record) => record.level === "warn")).toEqual([]);
  });

  it("skips a dangling link, a FIFO, a link to a FIFO, a socket and a directory, each with a warning", async () => {
    await write(join(dir, "tutor.md"), "Teach.");
    await symlink("nowhere.md", join(dir, "dangling.md"));
    mkfifo(join(dir, "pipe.md"));
    mkfifo(join(root, "outside-pipe"));
    await symlink("pipe.md", join(dir, "pipe-link.md"));
    await symlink(join(root, "outside-pipe"), join(dir, "outside-pipe.md"));
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(join(dir, "socket.md"), resolve));
    await mkdir(join(dir, "archive.md"));

    // Start-up finishing at all is the FIFO half of this test: reading one would wait forever.
    const directory = await open({ watch: false });

    expect(names(directory)).toEqual(["tutor"]);
    expect(skipWarning("dangling.md")?.fields.reason).toBe("is a link to nowhere.md, which does not exist");
    expect(skipWarning("pipe.md")?.fields.reason).toBe("is a named pipe (FIFO), not a regular file");
    expect(skipWarning("pipe-link.md")?.fields.reason).toBe(
      "is a link to a named pipe (FIFO), not to a regular file",
    );
    expect(skipWarning("outside-pipe.md")?.fields.reason).toContain("outside PERSONAS_DIR");
    expect(skipWarning("socket.md")?.fields.reason).toBe("is a socket, not a regular file");
    expect(skipWarning("archive.md")?.fields.reason).toBe("is a directory, not a regular file");
    expect(directory.startup.skipped.map((refusal) => [refusal.kind, refusal.fileName])).toEqual([
      ["not-a-file", "archive.md"],
      ["not-a-file", "dangling.md"],
      ["not-a-file", "outside-pipe.md"],
      ["not-a-file", "pipe-link.md"],
      ["not-a-file", "pipe.md"],
      ["not-a-file", "socket.md"],
    ]);
  });

  it("says which entries were skipped when nothing else is left", async () => {
    mkfifo(join(dir, "pipe.md"));
    await symlink("/etc/passwd", join(dir, "leak.md"));

    const error = await open({ watch: false }).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(PersonaDirectoryError);
    expect((error as PersonaDirectoryError).problems).toEqual([
      `${dir}: has no persona files (skipped, not regular files in the folder: leak.md, pipe.md) ` +
        `(*.md; README.md and dotfiles are skipped): add one, e.g. ${join(dir, "tutor.md")} whose ` +
        "Markdown body is the system prompt",
    ]);
  });
});

describe("the persona folder while running", () => {
  it("skips a link to a file outside the folder added while running, and one replacing a persona", async () => {
    await write(join(dir, "tutor.md"), "Teach.");
    await write(join(outside, "secret.md"), "THE SECRET TEXT");
    const directory = await open();
    const seen: PersonaChange[] = [];
    directory.onChange((changes) => seen.push(...changes));

    await symlink(join(outside, "secret.md"), join(dir, "leak.md"));
    await waitFor("a warning about leak.md", () => skipWarning("leak.md") !== undefined);
    expect(skipWarning("leak.md")?.message).toContain("outside PERSONAS_DIR");
    expect(skipWarning("leak.md")?.message).toContain("not loaded");
    expect(seen).toContainEqual({
      kind: "rejected",
      fileName: "leak.md",
      problem: `${join(dir, "leak.md")}: is a link to ${join(outside, "secret.md")}, outside PERSONAS_DIR: only files inside the folder are read`,
    });

    // Renamed over the original in one step, as an editor saves, so tutor.md is never missing.
    await symlink(join(outside, "secret.md"), join(dir, ".tutor.md.link"));
    await rename(join(dir, ".tutor.md.link"), join(dir, "tutor.md"));
    await waitFor("a warning about tutor.md", () => skipWarning("tutor.md") !== undefined);
    expect(skipWarning("tutor.md")?.message).toContain("keeping the last good version");
    expect(skipWarning("tutor.md")?.fields.persona).toBe("tutor");

    expect(names(directory)).toEqual(["tutor"]);
    expect(directory.get("tutor")?.systemPrompt).toBe("Teach.");
    expect(directory.list().some((persona) => persona.systemPrompt.includes("SECRET"))).toBe(false);
  });

  it("skips a FIFO added while running and keeps reloading the files after it", async () => {
    await write(join(dir, "tutor.md"), "Teach.");
    const directory = await open();

    mkfifo(join(dir, "pipe.md"));
    await waitFor("a warning about pipe.md", () => skipWarning("pipe.md") !== undefined);
    // Before the fix, reading the FIFO never returned and no later edit was ever seen.
    await write(join(dir, "coder.md"), "Code.");
    await waitFor("coder to appear", () => directory.get("coder") !== undefined);

    expect(skipWarning("pipe.md")?.fields.reason).toBe("is a named pipe (FIFO), not a regular file");
    expect(names(directory)).toEqual(["coder", "tutor"]);
  });

  it("lets a link inside the folder in while running", async () => {
    await write(join(dir, "tutor.md"), "Teach.");
    const directory = await open();

    await symlink("tutor.md", join(dir, "mentor.md"));

    await waitFor("mentor to appear", () => directory.get("mentor") !== undefined);
    expect(directory.get("mentor")?.systemPrompt).toBe("Teach.");
  });

  it("drops a persona whose file is deleted, but not one whose file became a dangling link", async () => {
    await write(join(dir, "tutor.md"), "Teach.");
    await write(join(dir, "coder.md"), "Code.");
    const directory = await open();

    await symlink("gone.md", join(dir, ".coder.md.link"));
    await rename(join(dir, ".coder.md.link"), join(dir, "coder.md"));
    await waitFor("a warning about coder.md", () => skipWarning("coder.md") !== undefined);
    await rm(join(dir, "tutor.md"));
    await waitFor("tutor to go", () => directory.get("tutor") === undefined);

    expect(names(directory)).toEqual(["coder"]);
    expect(skipWarning("coder.md")?.fields.reason).toBe("is a link to gone.md, which does not exist");
  });
});
