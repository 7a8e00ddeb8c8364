/**
 * The baseline for troupe's Discord figures: the least a discord.js bot can do to answer a mention
 * from a streamed model. On a message that mentions it, it streams the model (the `ollama` client,
 * the model troupe uses by default) and posts the whole answer once, as a reply that pings nobody.
 * Deliberately minimal: no history, no personas, no edits while streaming, no pacing beyond what
 * discord.js does itself, no error handling beyond a log line. It exists so `npm run bench` can put
 * troupe's figures beside a bot that does nothing more, measured in the same run against the same fakes.
 *
 *   DISCORD_TOKEN=… DISCORD_API_URL=http://127.0.0.1:<port>/api OLLAMA_HOST=http://127.0.0.1:<port> \
 *     node --import tsx bench/bare-discord-bot.ts
 *
 * Prints `ready` on standard output once the gateway session is up.
 */
import { Client, Events, GatewayIntentBits } from "discord.js";
import { Ollama } from "ollama";
import { z } from "zod";

const env = z
  .object({
    DISCORD_TOKEN: z.string().min(1),
    DISCORD_API_URL: z.string().url().optional(),
    OLLAMA_HOST: z.string().url().default("http://127.0.0.1:11434"),
    MODEL: z.string().min(1).default("llama3.2"),
  })
  .parse(process.env);

const ollama = new Ollama({ host: env.OLLAMA_HOST });
const client = new Client({
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
  ...(env.DISCORD_API_URL === undefined ? {} : { rest: { api: env.DISCORD_API_URL } }),
});

client.on(Events.MessageCreate, async (message) => {
  const self = client.user;
  if (self === null || message.author.bot || !message.mentions.users.has(self.id)) return;
  try {
    const stream = await ollama.chat({
      model: env.MODEL,
      messages: [{ role: "user", content: message.content }],
      stream: true,
    });
    let answer = "";
    for await (const part of stream) answer += part.message.content;
    await message.reply({ content: answer, allowedMentions: { parse: [] } });
  } catch (error) {
    console.error(`answer failed: ${String(error)}`);
  }
});

client.once(Events.ClientReady, () => console.log("ready"));
const stop = () => {
  void client.destroy().finally(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
await client.login(env.DISCORD_TOKEN);
