/**
 * The file read after its check is the file that was checked, and never more than the cap: a file
 * grown, or replaced by a FIFO, a link or another file in between, is not read.
 */
import { execFileSync } from "node:child_process";
import { appendFile, lstat, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCapped } from "../../src/personas/read-capped.js";
import { createTempDir, removeTempDir } from "./persona-test-helpers.js";

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await createTempDir();
  path = join(dir, "tutor.md");
  await writeFile(path, "Teach.");
});
afterEach(async () => {
  await removeTempDir(dir);
});

describe("readCapped", () => {
  it("reads the checked file up to the cap, multi-byte text intact", async () => {
    const text = `Teach. ${"é🙂".repeat(20_000)}`;
    await writeFile(path, text);
    expect(await readCapped(path, await lstat(path), 200_000)).toEqual({ kind: "text", text });
  });

  it("refuses a file that grew past the cap after it was checked", async () => {
    const checked = await lstat(path);
    await appendFile(path, "x".repeat(5_000));
    expect(await readCapped(path, checked, 1_024)).toEqual({ kind: "too-big", bytes: 5_006 });
  });

  it("does not open a file whose checked size is already over the cap", async () => {
    const checked = await lstat(path);
    // Gone now: a read would fail with ENOENT instead of answering from the checked size.
    await rm(path);
    expect(await readCapped(path, checked, 3)).toEqual({ kind: "too-big", bytes: 6 });
  });

  it("reads nothing from a FIFO, a link or another file put in the checked file's place", async () => {
    const checked = await lstat(path);
    // Moved aside, not deleted, so no file made below can be given its inode number again.
    await rename(path, join(dir, "kept.md"));
    execFileSync("mkfifo", [path]);
    // Opening this FIFO without O_NONBLOCK would wait for a writer forever.
    expect(await readCapped(path, checked, 1_024)).toEqual({ kind: "replaced" });

    await rm(path);
    await writeFile(join(dir, "other.md"), "Other.");
    await symlink("other.md", path);
    expect(await readCapped(path, checked, 1_024)).toEqual({ kind: "replaced" });

    await rm(path);
    await writeFile(join(dir, ".tutor.md.swp"), "Teach, saved again.");
    await rename(join(dir, ".tutor.md.swp"), path);
    expect(await readCapped(path, checked, 1_024)).toEqual({ kind: "replaced" });
  });
});
