/**
 * The baseline for troupe's Slack figures: the least a @slack/bolt app can do to answer a mention
 * from a streamed model. On `app_mention` it streams the model (the `ollama` client, the model troupe
 * uses by default) and posts the whole answer once with `chat.postMessage`, in the mention's thread.
 * Deliberately minimal: no history, no personas, no de-duplication of Slack's retries, no updates
 * while streaming, no error handling beyond a log line. It exists so `npm run bench` can put troupe's
 * figures beside an app that does nothing more, measured in the same run against the same fakes.
 *
 *   HTTP mode:   SLACK_BOT_TOKEN=xoxb-… SLACK_SIGNING_SECRET=… PORT=3000 \
 *   Socket Mode: SLACK_BOT_TOKEN=xoxb-… SLACK_APP_TOKEN=xapp-… \
 *     [SLACK_API_URL=http://127.0.0.1:<port>/api/] OLLAMA_HOST=… node --import tsx bench/bare-bolt-app.ts
 *
 * Prints `ready` on standard output once it listens (HTTP, on 127.0.0.1) or is connected (Socket Mode).
 */
import { App, LogLevel } from "@slack/bolt";
import { Ollama } from "ollama";
import { z } from "zod";

const env = z
  .object({
    SLACK_BOT_TOKEN: z.string().startsWith("xoxb-"),
    SLACK_APP_TOKEN: z.string().startsWith("xapp-").optional(),
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_API_URL: z.string().url().optional(),
    PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
    OLLAMA_HOST: z.string().url().default("http://127.0.0.1:11434"),
    MODEL: z.string().min(1).default("llama3.2"),
  })
  .parse(process.env);

const ollama = new Ollama({ host: env.OLLAMA_HOST });
const socketMode = env.SLACK_APP_TOKEN !== undefined;
const app = new App({
  token: env.SLACK_BOT_TOKEN,
  ...(socketMode
    ? { appToken: env.SLACK_APP_TOKEN, socketMode: true }
    : { signingSecret: env.SLACK_SIGNING_SECRET ?? "", port: env.PORT }),
  logLevel: LogLevel.ERROR,
  ...(env.SLACK_API_URL === undefined ? {} : { clientOptions: { slackApiUrl: env.SLACK_API_URL } }),
});

app.event("app_mention", async ({ event, client }) => {
  try {
    const stream = await ollama.chat({
      model: env.MODEL,
      messages: [{ role: "user", content: event.text }],
      stream: true,
    });
    let answer = "";
    for await (const part of stream) answer += part.message.content;
    await client.chat.postMessage({
      channel: event.channel,
      thread_ts: event.thread_ts ?? event.ts,
      text: answer,
    });
  } catch (error) {
    console.error(`answer failed: ${String(error)}`);
  }
});

if (socketMode) await app.start();
else await app.start({ port: env.PORT, host: "127.0.0.1" });
console.log("ready");
const stop = () => {
  void app.stop().finally(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
