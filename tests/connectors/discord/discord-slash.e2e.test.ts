/**
 * Slash commands end to end: discord.js against the fake Discord, the real bot behind it. Every
 * interaction must be deferred or answered within 3 seconds (the fake refuses a later callback).
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

/** The path of every request after the one at `from`, e.g. `POST /interactions/:id/:token/callback`. */
function routesSince(from: number): string[] {
  return h.discord.requests
    .slice(from)
    .map(
      (request) =>
        `${request.method} ${request.path.replace(/interaction-token-\d+/, ":token").replace(/\d{15,}/g, ":id")}`,
    );
}

describe("discord /ask", () => {
  it("is deferred at once, then the deferred reply is edited into the whole answer", async () => {
    const { discord } = h;
    const start = discord.requests.length;
    const interaction = discord.command({
      user: discord.ids.bob,
      channel: discord.ids.general,
      name: "ask",
      options: [{ name: "prompt", value: "what is a prime?" }],
    });
    expect(await eventually(() => h.logged("answered") === 1)).toBe(true);
    expect(interaction.callbacks.map((callback) => callback.type)).toEqual([5]);
    const routes = routesSince(start);
    expect(routes[0]).toBe("POST /interactions/:id/:token/callback");
    expect(routes).toContain("PATCH /webhooks/:id/:token/messages/@original");
    const original = discord.world.messages.get(interaction.originalId ?? "");
    expect(original?.content).toBe("**🎓 Tutor**\necho: bob: what is a prime?");
    const writes = discord.writes.filter((write) => write.via === "interaction");
    expect(writes.length).toBeGreaterThan(0);
    for (const write of writes) expect(write.allowedMentions?.parse).toEqual([]);
  });

  it("asks another persona just once, with its own system prompt", async () => {
    const { discord } = h;
    const interaction = discord.command({
      user: discord.ids.bob,
      channel: discord.ids.general,
      name: "ask",
      options: [
        { name: "prompt", value: "sort a list" },
        { name: "persona", value: "coder" },
      ],
    });
    expect(await eventually(() => h.logged("answered") === 1)).toBe(true);
    expect(h.ollama.chatBodies()[0]?.messages[0]?.content).toBe(systemPromptOf("coder"));
    expect(discord.world.messages.get(interaction.originalId ?? "")?.content).toMatch(/^\*\*💻 Coder\*\*\n/);
  });

  it("answers a model failure with one short line only the caller sees, and leaves no 'thinking…'", async () => {
    const { discord } = h;
    h.ollama.enqueue({ status: 500 });
    const interaction = discord.command({
      user: discord.ids.bob,
      channel: discord.ids.general,
      name: "ask",
      options: [{ name: "prompt", value: "hello?" }],
    });
    expect(
      await eventually(() => discord.world.messages.get(interaction.originalId ?? "")?.deleted === true),
    ).toBe(true);
    const followups = interaction.followupIds.map((id) => discord.world.messages.get(id));
    expect(followups).toHaveLength(1);
    expect(followups[0]?.flags).toBe(64);
    expect(followups[0]?.content).toMatch(/^⚠️ /);
    expect(followups[0]?.content.split("\n")).toHaveLength(1);
  });
});

describe("discord persona autocomplete", () => {
  it("suggests personas with name and description, filtered by what is typed", async () => {
    const { discord } = h;
    const interaction = discord.autocomplete({
      user: discord.ids.bob,
      channel: discord.ids.general,
      name: "persona",
      options: [{ name: "name", value: "sto", focused: true }],
    });
    expect(await eventually(() => interaction.callbacks.length === 1)).toBe(true);
    expect(interaction.callbacks[0]?.type).toBe(8);
    const data = interaction.callbacks[0]?.data as { choices: { name: string; value: string }[] } | undefined;
    const full = `📜 Storyteller: ${h.personas.get("storyteller")?.description}`;
    // Discord caps a choice's name at 100 characters.
    expect(data?.choices[0]).toEqual({
      name: full.length <= 100 ? full : `${full.slice(0, 99)}…`,
      value: "storyteller",
    });
    const all = discord.autocomplete({
      user: discord.ids.bob,
      channel: discord.ids.general,
      name: "ask",
      options: [
        { name: "prompt", value: "hi" },
        { name: "persona", value: "", focused: true },
      ],
    });
    expect(await eventually(() => all.callbacks.length === 1)).toBe(true);
    const allChoices =
      (all.callbacks[0]?.data as { choices: { value: string }[] } | undefined)?.choices ?? [];
    expect(allChoices.map((choice) => choice.value).sort()).toEqual([
      "coder",
      "storyteller",
      "support",
      "tutor",
    ]);
  });
});

describe("discord /persona", () => {
  it("sets the conversation's persona; the next mention speaks with its system prompt", async () => {
    const { discord } = h;
    const interaction = discord.command({
      user: discord.ids.bob,
      channel: discord.ids.general,
      name: "persona",
      options: [{ name: "name", value: "storyteller" }],
    });
    expect(
      await eventually(() =>
        (discord.world.messages.get(interaction.originalId ?? "")?.content ?? "").includes("now answers"),
      ),
    ).toBe(true);
    expect(discord.world.messages.get(interaction.originalId ?? "")?.content).toContain(
      "📜 **Storyteller** now answers in this conversation.",
    );
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} once upon a time`,
    });
    expect(await eventually(() => h.logged("answered") === 1)).toBe(true);
    expect(h.ollama.chatBodies()[0]?.messages[0]?.content).toBe(systemPromptOf("storyteller"));
  });

  it("refuses channel and server scope to people without Manage Channels / Manage Server, clearly", async () => {
    const { discord } = h;
    const refused = discord.command({
      user: discord.ids.bob,
      channel: discord.ids.general,
      name: "persona",
      options: [
        { name: "name", value: "coder" },
        { name: "scope", value: "channel" },
      ],
    });
    expect(await eventually(() => refused.followupIds.length === 1)).toBe(true);
    const line = discord.world.messages.get(refused.followupIds[0] ?? "");
    expect(line?.flags).toBe(64);
    expect(line?.content).toBe(
      "Only people who can manage this channel can set its persona. You can still set it for this conversation.",
    );
    expect(
      await eventually(() => discord.world.messages.get(refused.originalId ?? "")?.deleted === true),
    ).toBe(true);

    const server = discord.command({
      user: discord.ids.ada,
      channel: discord.ids.general,
      name: "persona",
      options: [
        { name: "name", value: "coder" },
        { name: "scope", value: "server" },
      ],
    });
    expect(await eventually(() => server.followupIds.length === 1)).toBe(true);
    expect(discord.world.messages.get(server.followupIds[0] ?? "")?.content).toContain(
      "Only people who can manage this server",
    );

    // Nothing was bound: the default persona still answers in the channel.
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} hi`,
    });
    expect(await eventually(() => h.logged("answered") === 1)).toBe(true);
    expect(h.ollama.chatBodies()[0]?.messages[0]?.content).toBe(systemPromptOf("tutor"));
  });

  it("lets a moderator set the channel's persona and an admin the server's", async () => {
    const { discord } = h;
    const channel = discord.command({
      user: discord.ids.ada,
      channel: discord.ids.general,
      name: "persona",
      options: [
        { name: "name", value: "coder" },
        { name: "scope", value: "channel" },
      ],
    });
    const server = discord.command({
      user: discord.ids.cleo,
      channel: discord.ids.noHooks,
      name: "persona",
      options: [
        { name: "name", value: "support" },
        { name: "scope", value: "server" },
      ],
    });
    const content = (id: string | undefined) => discord.world.messages.get(id ?? "")?.content ?? "";
    expect(await eventually(() => content(channel.originalId).includes("now answers in this channel"))).toBe(
      true,
    );
    expect(await eventually(() => content(server.originalId).includes("now answers in this server"))).toBe(
      true,
    );
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.readOnly,
      content: `${mention(discord.ids.bot)} hi`,
    });
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} hi`,
    });
    expect(await eventually(() => h.ollama.chatBodies().length === 2)).toBe(true);
    const prompts = h.ollama.chatBodies().map((body) => body.messages[0]?.content);
    expect(prompts).toContain(systemPromptOf("support"));
    expect(prompts).toContain(systemPromptOf("coder"));
  });
});
