/**
 * `npm run bench`: the figures the README quotes. Timings live here, never in tests.
 * `npm run bench -- core` (or discord, slack, slack-load, embedded, busy) runs one group.
 */
import { benchBusy } from "./busy.js";
import { benchDiscord } from "./discord.js";
import { benchEmbedded, formatEmbeddedFigures } from "./embedded.js";
import { benchPromptBuild } from "./prompt-build.js";
import { benchSlack } from "./slack.js";
import { benchSlackLoad, formatSlackLoad } from "./slack-http-load.js";
import { benchStartup } from "./startup.js";
import type { Summary } from "./stats.js";

const groups = process.argv.slice(2);
const wanted = (group: string) => groups.length === 0 || groups.includes(group);
const figure = (summary: Summary) => `median ${summary.medianMs} ms, p99 ${summary.p99Ms} ms`;

if (wanted("core")) {
  const prompt = benchPromptBuild();
  console.log(`prompt build, 500-turn history: ${figure(prompt)} (${prompt.runs} runs)`);
  const startup = await benchStartup();
  console.log(
    `npm start to ready: median ${startup.medianMs} ms, max ${startup.maxMs} ms (${startup.runs} runs)`,
  );
}
if (wanted("discord")) {
  const discord = await benchDiscord();
  console.log(`discord, ${discord.conversations} conversations at once, ${discord.rounds} rounds:`);
  console.log(`  MESSAGE_CREATE → request at the model: ${figure(discord.messageToModel)}`);
  console.log(`  first token → first message on Discord: ${figure(discord.firstTokenToMessage)}`);
}
if (wanted("slack")) {
  const slack = await benchSlack();
  console.log(`slack, ${slack.conversations} conversations at once:`);
  console.log(`  event → request at the model: ${figure(slack.eventToModel)}`);
  console.log(`  first token → first message in Slack: ${figure(slack.firstTokenToSlack)}`);
  console.log(
    `  HTTP mode: ${slack.httpEventsPerSecond} events/s handled, ${slack.httpAnswersPerSecond} mentions/s answered`,
  );
}
if (wanted("slack-load")) {
  for (const line of formatSlackLoad(await benchSlackLoad())) console.log(line);
}
if (wanted("embedded")) {
  for (const line of formatEmbeddedFigures(await benchEmbedded())) console.log(line);
}
if (wanted("busy")) {
  await benchBusy((line) => console.log(line));
}
