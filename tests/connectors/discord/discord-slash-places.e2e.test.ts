/**
 * Slash commands where they run besides a channel (DMs, threads), ephemeral help, and interactions
 * Discord no longer knows: discord.js against the fake Discord, the real bot behind it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually, type Harness, mention, startHarness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

function systemPromptOf(name: string): string {
  const persona = h.personas.get(name);
  if (persona === undefined) throw new Error(`no persona ${name}`);
  return persona.systemPrompt;
}

describe("discord slash commands in DMs and threads", () => {
  it("shares the DM conversation between /persona and the messages that follow", async () => {
    const { discord } = h;
    const dm = discord.openDm(discord.ids.bob);
    const interaction = discord.command({
      user: discord.ids.bob,
      channel: dm,
      name: "persona",
      options: [{ name: "name", value: "coder" }],
    });
    const content = () => discord.world.messages.get(interaction.originalId ?? "")?.content ?? "";
    expect(await eventually(() => content().includes("now answers in this conversation"))).toBe(true);
    discord.say({ author: discord.ids.bob, channel: dm, content: "reverse a string" });
    expect(await eventually(() => h.logged("answered") === 1)).toBe(true);
    expect(h.ollama.chatBodies()[0]?.messages[0]?.content).toBe(systemPromptOf("coder"));
  });

  it("answers /ask in a thread inside the thread's conversation", async () => {
    const { discord } = h;
    const thread = discord.createThread({
      parent: discord.ids.general,
      name: "t",
      owner: discord.ids.bob,
      botIsMember: true,
    });
    discord.command({
      user: discord.ids.bob,
      channel: thread,
      name: "ask",
      options: [{ name: "prompt", value: "first" }],
    });
    expect(await eventually(() => h.logged("answered") === 1)).toBe(true);
    discord.say({ author: discord.ids.bob, channel: thread, content: "second" });
    expect(await eventually(() => h.logged("answered") === 2)).toBe(true);
    const lines = h.logger.lines
      .filter((line) => line.message === "answered")
      .map((line) => line.fields.conversation);
    expect(lines).toEqual([
      `discord:${discord.ids.guild}:${discord.ids.general}:${thread}`,
      `discord:${discord.ids.guild}:${discord.ids.general}:${thread}`,
    ]);
  });
});

describe("discord /help and lost interactions", () => {
  it("shows help to the caller only, and removes the deferred reply", async () => {
    const { discord } = h;
    const interaction = discord.command({
      user: discord.ids.bob,
      channel: discord.ids.general,
      name: "help",
    });
    expect(
      await eventually(() => discord.world.messages.get(interaction.originalId ?? "")?.deleted === true),
    ).toBe(true);
    const help = discord.world.messages.get(interaction.followupIds[0] ?? "");
    expect(help?.flags).toBe(64);
    expect(help?.content).toContain("`/ask [persona:<name>] <prompt>`");
  });

  it("logs an interaction Discord no longer knows (the 3 seconds passed) and carries on", async () => {
    const { discord } = h;
    discord.command({
      user: discord.ids.bob,
      channel: discord.ids.general,
      name: "ask",
      options: [{ name: "prompt", value: "too late" }],
      expired: true,
    });
    expect(await eventually(() => h.logged("could not defer a slash command") === 1)).toBe(true);
    const line = h.logger.lines.find((entry) => entry.message === "could not defer a slash command");
    expect(line?.fields).toMatchObject({ discordCode: 10062, status: 404 });
    // The interaction token never reaches the log.
    expect(String(line?.fields.route)).toMatch(/\/interactions\/\d+\/:token\/callback$/);
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} still there?`,
    });
    expect(await eventually(() => h.logged("answered") === 1)).toBe(true);
    expect(h.ollama.chatBodies()).toHaveLength(1);
  });
});
