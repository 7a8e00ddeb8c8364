/**
 * A persona's local picture (`avatar: avatars/NAME.png`, as `persona import` writes it) on Slack:
 * with PUBLIC_URL it is the answer's icon_url, and Slack's HTTP receiver serves it at that path,
 * so PUBLIC_URL can be the Slack events host. The route's own checks run here too
 * (avatar-route-cases.ts), on Bolt's receiver.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAvatarHandler } from "../../../src/app/service/avatar-route.js";
import { describeAvatarRoute, PNG_BYTES, TEST_MAX_BYTES } from "../../app/service/avatar-route-cases.js";
import { createRecordingLogger } from "../../helpers/recording-logger.js";
import { ADA, type Harness, startHarness } from "./slack-harness.js";

const CHANNEL = "CGENERAL1";
const BOT = "<@UBOT00001>";
const PUBLIC_URL = "https://troupe.example.com";

function copyShippedPersonas(dir: string): void {
  for (const file of readdirSync("personas")) {
    if (file.endsWith(".md")) copyFileSync(join("personas", file), join(dir, file));
  }
}

describeAvatarRoute("Slack's HTTP receiver", async ({ personasDir, avatarsDir }) => {
  copyShippedPersonas(personasDir);
  const harness = await startHarness({
    mode: "http",
    personasDir,
    publicUrl: PUBLIC_URL,
    avatars: createAvatarHandler({ avatarsDir, logger: createRecordingLogger(), maxBytes: TEST_MAX_BYTES }),
  });
  return { baseUrl: `http://127.0.0.1:${harness.connector.port ?? 0}`, close: () => harness.stop() };
});

describe("slack persona pictures", () => {
  let dir: string;
  let harness: Harness | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "troupe-slack-faces-"));
    copyShippedPersonas(dir);
    mkdirSync(join(dir, "avatars"));
    writeFileSync(join(dir, "avatars", "pirate.png"), PNG_BYTES);
    writeFileSync(
      join(dir, "pirate.md"),
      "---\ndisplay_name: Captain Quill\navatar: avatars/pirate.png\ndescription: A pirate.\n---\nYou are a pirate.\n",
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  async function askPirate(h: Harness) {
    const ts = h.fake.nextTs();
    const response = await h.sendHttp({
      type: "app_mention",
      channel: CHANNEL,
      user: ADA,
      text: `${BOT} as pirate: ahoy`,
      ts,
    });
    expect(response.status).toBe(200);
    return (await h.answerIn(CHANNEL, ts))[0];
  }

  it("with PUBLIC_URL, the local picture is the icon_url, and the receiver serves it there", async () => {
    harness = await startHarness({
      mode: "http",
      personasDir: dir,
      publicUrl: PUBLIC_URL,
      avatars: createAvatarHandler({ avatarsDir: join(dir, "avatars"), logger: createRecordingLogger() }),
    });
    const answer = await askPirate(harness);
    expect(answer?.username).toBe("Captain Quill");
    expect(answer?.iconUrl).toBe(`${PUBLIC_URL}/avatars/pirate.png`);
    expect(harness.fake.calls("chat.postMessage")[0]?.args.icon_url).toBe(`${PUBLIC_URL}/avatars/pirate.png`);
    const path = new URL(answer?.iconUrl ?? "").pathname;
    const served = await fetch(`http://127.0.0.1:${harness.connector.port ?? 0}${path}`);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG_BYTES);
  });

  it("without PUBLIC_URL, the local picture is not sent (Slack takes a URL only)", async () => {
    harness = await startHarness({ mode: "http", personasDir: dir });
    const answer = await askPirate(harness);
    expect(answer?.username).toBe("Captain Quill");
    expect(answer?.iconUrl).toBeUndefined();
    const served = await fetch(`http://127.0.0.1:${harness.connector.port ?? 0}/avatars/pirate.png`);
    expect(served.status).toBe(404);
  });
});
