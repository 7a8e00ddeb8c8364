/**
 * The start-up line that names the personas whose pictures Discord and Slack will not show, read
 * from a real persona folder: once, with the fix, and only when a platform runs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AvatarNoticeSettings, noteUnshownAvatars } from "../../src/app/avatar-notice.js";
import type { Persona } from "../../src/core/persona.js";
import { loadPersonaDirectory } from "../../src/personas/persona-directory.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";

let dir: string;
let personas: Persona[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "troupe-avatar-notice-"));
  mkdirSync(join(dir, "avatars"));
  writeFileSync(join(dir, "avatars", "sailor.png"), "PNG");
  writeFileSync(join(dir, "beside.png"), "PNG");
  writeFileSync(join(dir, "tutor.md"), "You teach.");
  writeFileSync(join(dir, "web.md"), "---\navatar: https://example.com/web.png\n---\nHi.");
  writeFileSync(join(dir, "sailor.md"), "---\navatar: avatars/sailor.png\n---\nSail.");
  writeFileSync(join(dir, "beside.md"), "---\navatar: beside.png\n---\nHi.");
  const directory = await loadPersonaDirectory(dir, { logger: createRecordingLogger(), watch: false });
  personas = directory.list();
  directory.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const discord: AvatarNoticeSettings = {
  PUBLIC_URL: undefined,
  METRICS_PORT: undefined,
  DISCORD_TOKEN: "token",
  SLACK_BOT_TOKEN: undefined,
  SLACK_APP_TOKEN: undefined,
};

function linesFor(settings: AvatarNoticeSettings) {
  const logger = createRecordingLogger();
  noteUnshownAvatars(settings, personas, logger);
  return logger.lines;
}

describe("the unshown-pictures notice", () => {
  it("without PUBLIC_URL: one info line naming every persona with a local picture, and the fix", () => {
    const lines = linesFor(discord);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe("info");
    expect(lines[0]?.fields.personas).toEqual(["beside", "sailor"]);
    expect(lines[0]?.message).toContain("set PUBLIC_URL");
    expect(lines[0]?.message).toContain("put its https URL in avatar:");
  });

  it("with PUBLIC_URL served on METRICS_PORT: names only a picture outside PERSONAS_DIR/avatars", () => {
    const lines = linesFor({ ...discord, PUBLIC_URL: "https://troupe.example.com", METRICS_PORT: 9464 });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.fields.personas).toEqual(["beside"]);
    expect(lines[0]?.message).toContain("troupe serves only PERSONAS_DIR/avatars");
  });

  it("with PUBLIC_URL but no server of troupe's to serve it: says so", () => {
    const lines = linesFor({ ...discord, PUBLIC_URL: "https://troupe.example.com" });
    expect(lines.map((line) => line.fields.publicUrl)).toContain("https://troupe.example.com");
    const slackHttp = linesFor({
      ...discord,
      DISCORD_TOKEN: undefined,
      SLACK_BOT_TOKEN: "xoxb-1",
      PUBLIC_URL: "https://troupe.example.com",
    });
    expect(slackHttp.map((line) => line.fields.personas)).toEqual([["beside"]]);
  });

  it("says nothing in the terminal chat, which shows no pictures", () => {
    expect(linesFor({ ...discord, DISCORD_TOKEN: undefined })).toEqual([]);
  });
});
