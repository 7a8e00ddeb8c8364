/**
 * `npm run deploy:discord`'s step in-process, against the fake Discord on loopback: the line it
 * prints when the commands are registered, and the line a person can act on when they are not.
 * (tests/connectors/discord/discord-deploy.e2e.test.ts runs the command itself.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployDiscordCommands } from "../../src/app/deploy-discord-commands.js";
import { FatalError } from "../../src/app/fatal.js";
import { type FakeDiscord, startFakeDiscord } from "../fakes/fake-discord/fake-discord.js";

let discord: FakeDiscord;
beforeAll(async () => {
  discord = await startFakeDiscord();
});
afterAll(async () => {
  await discord.close();
});

async function failureOf(promise: Promise<string>): Promise<FatalError> {
  const failure = await promise.catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(FatalError);
  return failure as FatalError;
}

describe("deployDiscordCommands", () => {
  it("registers globally and says where the commands now work", async () => {
    const line = await deployDiscordCommands({
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: undefined,
    });
    expect(line).toBe(
      `Registered 7 slash commands globally (/ask, /persona, /reset, /sources, /feedback, /forget-me, /help) for application ${discord.ids.app}: in every server that has the bot, its DMs, and for people who installed the app themselves. Discord clients may take a few minutes to show changes.`,
    );
  });

  it("registers in DISCORD_GUILD_ID and says they are usable there now", async () => {
    const line = await deployDiscordCommands({
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.ids.guild,
    });
    expect(line).toBe(
      `Registered 7 slash commands in server ${discord.ids.guild} (/ask, /persona, /reset, /sources, /feedback, /forget-me, /help) for application ${discord.ids.app}: usable there now.`,
    );
  });

  it("asks for DISCORD_TOKEN when it is not set", async () => {
    const failure = await failureOf(
      deployDiscordCommands({
        DISCORD_TOKEN: undefined,
        DISCORD_API_URL: discord.apiUrl,
        DISCORD_GUILD_ID: undefined,
      }),
    );
    expect(failure.message).toBe("DISCORD_TOKEN is not set. Example: DISCORD_TOKEN=MTA4...your-bot-token");
  });

  it("says to copy the token again when Discord rejects it", async () => {
    const failure = await failureOf(
      deployDiscordCommands({
        DISCORD_TOKEN: "wrong-token",
        DISCORD_API_URL: discord.apiUrl,
        DISCORD_GUILD_ID: undefined,
      }),
    );
    expect(failure.message).toBe(
      "Discord rejected DISCORD_TOKEN (401). Copy the bot token again from the Developer Portal › Bot.",
    );
  });

  it("asks whether the bot is in the server when Discord refuses that server", async () => {
    const elsewhere = "999999999999999999";
    const failure = await failureOf(
      deployDiscordCommands({
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        DISCORD_GUILD_ID: elsewhere,
      }),
    );
    expect(failure.message).toBe(
      `Discord refused to register commands in server ${elsewhere}: Missing Access. Is the bot in that server, invited with the applications.commands scope?`,
    );
  });

  it("says Discord cannot be reached, with the network error", async () => {
    const gone = await startFakeDiscord();
    await gone.close();
    const failure = await failureOf(
      deployDiscordCommands({
        DISCORD_TOKEN: gone.token,
        DISCORD_API_URL: gone.apiUrl,
        DISCORD_GUILD_ID: undefined,
      }),
    );
    const port = new URL(gone.apiUrl).port;
    expect(failure.message).toBe(`cannot reach Discord: connect ECONNREFUSED 127.0.0.1:${port}.`);
  });
});
