/**
 * Persona faces (DISCORD_PERSONA_WEBHOOKS=true): one bot, many faces. Answers go through one
 * channel webhook owned by the app, with the persona's name and avatar; where the bot may not manage
 * webhooks, answers fall back to its own messages with the persona's header, logged once.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { botMessages, eventually, type Harness, mention, startHarness } from "./harness.js";

let dir: string;
let h: Harness;

beforeAll(() => {
  // The shipped personas, plus one with an avatar.
  dir = mkdtempSync(join(tmpdir(), "troupe-faces-"));
  for (const file of readdirSync("personas")) copyFileSync(join("personas", file), join(dir, file));
  writeFileSync(
    join(dir, "pirate.md"),
    "---\ndisplay_name: Captain Quill\navatar: https://example.com/quill.png\ndescription: A friendly pirate.\n---\nYou are a pirate.\n",
  );
  // An imported character: its picture saved beside the personas, as `persona import` writes it.
  mkdirSync(join(dir, "avatars"));
  writeFileSync(
    join(dir, "avatars", "sailor.png"),
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  );
  writeFileSync(
    join(dir, "sailor.md"),
    "---\ndisplay_name: Old Salt\navatar: avatars/sailor.png\ndescription: A sailor.\n---\nYou are a sailor.\n",
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await h.close();
});

function webhookCreations(harness: Harness, channelId: string): number {
  return harness.discord.requests.filter(
    (request) => request.method === "POST" && request.path === `/channels/${channelId}/webhooks`,
  ).length;
}

describe("discord persona faces", () => {
  it("answers through one channel webhook wearing each persona's name and avatar", async () => {
    h = await startHarness({ connector: { personaWebhooks: true }, personasDir: dir });
    const { discord } = h;
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} hello`,
    });
    expect(await eventually(() => h.logged("answered") === 1)).toBe(true);
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} as pirate: ahoy`,
    });
    expect(await eventually(() => h.logged("answered") === 2)).toBe(true);

    const answers = botMessages(h, discord.ids.general);
    expect(answers.map((message) => message.webhook?.username)).toEqual(["Tutor", "Captain Quill"]);
    expect(answers[1]?.webhook?.avatarUrl).toBe("https://example.com/quill.png");
    // No header: the face says who speaks.
    expect(answers.map((message) => message.content)).toEqual(["echo: bob: hello", "echo: bob: ahoy"]);
    expect(webhookCreations(h, discord.ids.general)).toBe(1);
    expect(new Set(answers.map((message) => message.webhook?.id)).size).toBe(1);
    for (const write of discord.writes) expect(write.allowedMentions?.parse).toEqual([]);
  });

  it("shows a local picture by PUBLIC_URL on the webhook (avatar_url), and none without it", async () => {
    h = await startHarness({
      connector: { personaWebhooks: true, publicUrl: "https://troupe.example.com" },
      personasDir: dir,
    });
    const { discord } = h;
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} as sailor: ahoy`,
    });
    expect(await eventually(() => h.logged("answered") === 1)).toBe(true);
    const executes = discord.requests.filter(
      (request) => request.method === "POST" && /^\/webhooks\/\d+\/[^/]+$/.test(request.path),
    );
    expect(executes.map((request) => (request.body as { avatar_url?: string }).avatar_url)).toEqual([
      "https://troupe.example.com/avatars/sailor.png",
    ]);
    expect(botMessages(h, discord.ids.general)[0]?.webhook).toMatchObject({
      username: "Old Salt",
      avatarUrl: "https://troupe.example.com/avatars/sailor.png",
    });
    await h.close();

    h = await startHarness({ connector: { personaWebhooks: true }, personasDir: dir });
    h.discord.say({
      author: h.discord.ids.bob,
      channel: h.discord.ids.general,
      content: `${mention(h.discord.ids.bot)} as sailor: ahoy`,
    });
    expect(await eventually(() => h.logged("answered") === 1)).toBe(true);
    const [answer] = botMessages(h, h.discord.ids.general);
    expect(answer?.webhook?.username).toBe("Old Salt");
    expect(answer?.webhook?.avatarUrl).toBeUndefined();
  });

  it("posts into a thread through its parent channel's webhook, and takes replies to a face as replies to the bot", async () => {
    h = await startHarness({ connector: { personaWebhooks: true }, personasDir: dir });
    const { discord } = h;
    const thread = discord.createThread({
      parent: discord.ids.general,
      name: "story",
      owner: discord.ids.bob,
    });
    discord.say({
      author: discord.ids.bob,
      channel: thread,
      content: `${mention(discord.ids.bot)} as storyteller: begin`,
    });
    expect(await eventually(() => h.logged("answered") === 1)).toBe(true);
    const [face] = botMessages(h, thread);
    expect(face?.webhook?.username).toBe("Storyteller");
    expect(webhookCreations(h, discord.ids.general)).toBe(1);

    discord.say({
      author: discord.ids.ada,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} hi`,
    });
    expect(await eventually(() => h.logged("answered") === 2)).toBe(true);
    const [inChannel] = botMessages(h, discord.ids.general);
    discord.say({
      author: discord.ids.ada,
      channel: discord.ids.general,
      content: "go on",
      replyTo: inChannel?.id,
    });
    expect(await eventually(() => h.logged("answered") === 3)).toBe(true);
    expect(h.ollama.chatBodies()[2]?.messages.at(-1)?.content).toBe("Ada: go on");
  });

  it("falls back to a header where the bot lacks Manage Webhooks, and says so once", async () => {
    h = await startHarness({ connector: { personaWebhooks: true }, personasDir: dir });
    const { discord } = h;
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.noHooks,
      content: `${mention(discord.ids.bot)} one`,
    });
    expect(await eventually(() => h.logged("answered") === 1)).toBe(true);
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.noHooks,
      content: `${mention(discord.ids.bot)} two`,
    });
    expect(await eventually(() => h.logged("answered") === 2)).toBe(true);
    expect(botMessages(h, discord.ids.noHooks).map((message) => message.content)).toEqual([
      "**🎓 Tutor**\necho: bob: one",
      "**🎓 Tutor**\necho: bob: two",
    ]);
    const warnings = h.logger.lines.filter((line) => line.message.startsWith("persona webhooks unavailable"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.fields).toMatchObject({
      channel: discord.ids.noHooks,
      discordCode: 50013,
      status: 403,
    });
  });
});
