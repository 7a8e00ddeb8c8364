/**
 * Registering the slash commands: `npm run deploy:discord` (one bulk overwrite, globally or in
 * DISCORD_GUILD_ID) as a person runs it, and DISCORD_REGISTER_COMMANDS=true at start-up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeDiscord, startFakeDiscord } from "../../fakes/fake-discord/fake-discord.js";
import { type CommandRun, runCommand } from "../../helpers/run-troupe.js";
import { startHarness } from "./harness.js";

let discord: FakeDiscord;
beforeAll(async () => {
  discord = await startFakeDiscord();
});
afterAll(async () => {
  await discord.close();
});

function deploy(env: Record<string, string>): Promise<CommandRun> {
  return runCommand("npm", ["run", "deploy:discord"], { env });
}

const puts = () =>
  discord.requests.filter((request) => request.method === "PUT" && request.path.endsWith("/commands"));

describe("npm run deploy:discord", () => {
  it("registers every command globally with one bulk overwrite, for server and user installs", async () => {
    const before = puts().length;
    const run = await deploy({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "Registered 7 slash commands globally (/ask, /persona, /reset, /sources, /feedback, /forget-me, /help)",
    );
    expect(
      puts()
        .slice(before)
        .map((request) => request.path),
    ).toEqual([`/applications/${discord.ids.app}/commands`]);
    const registered = discord.commands.global as {
      name: string;
      integration_types: number[];
      contexts: number[];
    }[];
    expect(registered.map((command) => command.name)).toEqual([
      "ask",
      "persona",
      "reset",
      "sources",
      "feedback",
      "forget-me",
      "help",
    ]);
    for (const command of registered) {
      expect(command.integration_types).toEqual([0, 1]);
      expect(command.contexts).toEqual([0, 1, 2]);
    }
  }, 60_000);

  it("registers in one server when DISCORD_GUILD_ID is set", async () => {
    const before = puts().length;
    const run = await deploy({
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.ids.guild,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Registered 7 slash commands in server ${discord.ids.guild}`);
    expect(
      puts()
        .slice(before)
        .map((request) => request.path),
    ).toEqual([`/applications/${discord.ids.app}/guilds/${discord.ids.guild}/commands`]);
  }, 60_000);

  it("exits 1 with a clear message when Discord rejects the token, or none is set", async () => {
    const rejected = await deploy({ DISCORD_TOKEN: "wrong-token", DISCORD_API_URL: discord.apiUrl });
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain("Discord rejected DISCORD_TOKEN (401)");
    const missing = await deploy({ DISCORD_API_URL: discord.apiUrl });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("DISCORD_TOKEN is not set");
  }, 60_000);
});

describe("DISCORD_REGISTER_COMMANDS=true", () => {
  it("registers the commands at start-up, globally", async () => {
    const harness = await startHarness({ connector: { registerCommands: true } });
    try {
      expect(harness.logged("slash commands registered")).toBe(1);
      expect(harness.discord.commands.global).toHaveLength(7);
    } finally {
      await harness.close();
    }
  });

  it("registers them in DISCORD_GUILD_ID when it is set", async () => {
    const harness = await startHarness({
      connector: (fake) => ({ registerCommands: true, guildId: fake.ids.guild }),
    });
    try {
      expect(harness.discord.commands.guild.get(harness.discord.ids.guild)).toHaveLength(7);
      expect(harness.discord.commands.global).toHaveLength(0);
    } finally {
      await harness.close();
    }
  });
});
