/**
 * `npm run deploy:discord`: registers the slash commands with one bulk overwrite, globally, or in
 * DISCORD_GUILD_ID when it is set. A composition root like main.ts: config in, one call, a line out.
 */
import { deployDiscordCommands } from "./app/deploy-discord-commands.js";
import { runProgram } from "./app/fatal.js";
import { loadConfigOrExit } from "./config.js";

runProgram("deploy:discord", async () => {
  const config = loadConfigOrExit("deploy:discord");
  process.stdout.write(`${await deployDiscordCommands(config)}\n`);
});
