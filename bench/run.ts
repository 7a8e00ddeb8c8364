/**
 * `npm run bench`: the figures the README quotes. Timings live here, never in tests.
 * `npm run bench -- core` (or discord, slack, slack-load, answer-cost, embedded, busy, lean, start, knowledge) runs one
 * group (`start`: lean's start and idle figures alone);
 * `npm run bench -- slack-load [--sides bare,memory,sqlite,plain] [--rounds 2]` a subset of slack-load's sides (plain: troupe with a one-line persona) and rounds;
 * `npm run bench -- soak [--conversations 10000] [--platform slack|discord|both]
 * [--store sqlite|memory|both] [--snapshots]` the memory soak (quick, 2,000 conversations, by default).
 */
import { benchAnswerCost, formatAnswerCost } from "./answer-cost.js";
import { benchBusy } from "./busy.js";
import { benchBareDiscord, benchDiscord } from "./discord.js";
import { benchEmbedded, formatEmbeddedFigures } from "./embedded.js";
import { benchKnowledge, formatKnowledgeFigures } from "./knowledge.js";
import { benchLean } from "./lean.js";
import { benchPromptBuild } from "./prompt-build.js";
import { benchSlack } from "./slack.js";
import { benchSlackLoad, formatSlackLoad, type LoadSideName } from "./slack-http-load.js";
import { benchSoak, soakOptions } from "./soak.js";
import { benchStartup } from "./startup.js";
import type { Summary } from "./stats.js";
import { benchStore } from "./store.js";

const args = process.argv.slice(2);
/** Group names, without the soak's flags and their values. */
const groups = args.filter(
  (arg, index) =>
    !arg.startsWith("--") &&
    !["--conversations", "--store", "--platform", "--sides", "--rounds"].includes(args[index - 1] ?? ""),
);
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
  const troupe = await benchDiscord(["memory", "sqlite"]);
  const memory = troupe.get("memory");
  const sqlite = troupe.get("sqlite");
  if (memory === undefined || sqlite === undefined) throw new Error("the Discord bench lost a store");
  const bare = await benchBareDiscord(memory.conversations, memory.rounds);
  const p50 = (summary: Summary) => `${Math.round(summary.medianMs)} ms`;
  console.log(`discord, ${memory.conversations} conversations at once, ${memory.rounds} rounds:`);
  console.log(
    `  Discord event → model request, ${memory.conversations} at once, p50: bare ${p50(bare)} | memory ${p50(memory.messageToModel)} | SQLite ${p50(sqlite.messageToModel)} | SQLite/memory ${(sqlite.messageToModel.medianMs / memory.messageToModel.medianMs).toFixed(2)}×`,
  );
  console.log(
    `  MESSAGE_CREATE → request at the model, p99: bare ${bare.p99Ms} ms | memory ${memory.messageToModel.p99Ms} ms | SQLite ${sqlite.messageToModel.p99Ms} ms`,
  );
  console.log(`  first token → first message on Discord (memory): ${figure(memory.firstTokenToMessage)}`);
}
if (wanted("store")) {
  const { backends, load } = await benchStore();
  const prompt = benchPromptBuild();
  console.log("store:");
  for (const figures of backends) {
    console.log(
      `  ${figures.backend}: store work before the model call, 50 at once, p50 ${figures.beforeModel.medianMs} ms (p99 ${figures.beforeModel.p99Ms} ms); append at turn 5 / turn 500, p50: ${figures.appendAtTurn5.medianMs} / ${figures.appendAtTurn500.medianMs} ms`,
    );
  }
  console.log(
    `  SQLITE_BUSY under load (2 connections × 50 conversations, ${load.seconds} s): ${load.busy} of ${load.operations} operations (${load.failures} failed in all)`,
  );
  console.log(
    `  prompt build p99, 500-turn history: ${prompt.p99Ms} ms (median ${prompt.medianMs} ms, ${prompt.runs} runs)`,
  );
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
  const flagValue = (name: string) => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args[at + 1];
  };
  const sides = flagValue("--sides")?.split(",") as LoadSideName[] | undefined;
  const rounds = flagValue("--rounds");
  for (const line of formatSlackLoad(
    await benchSlackLoad({ sides, rounds: rounds === undefined ? undefined : Number(rounds) }),
  ))
    console.log(line);
}
if (wanted("answer-cost")) {
  for (const line of formatAnswerCost(await benchAnswerCost())) console.log(line);
}
if (wanted("embedded")) {
  for (const line of formatEmbeddedFigures(await benchEmbedded())) console.log(line);
}
if (wanted("knowledge")) {
  for (const line of formatKnowledgeFigures(await benchKnowledge())) console.log(line);
}
if (wanted("busy")) {
  await benchBusy((line) => console.log(line));
}
if (wanted("lean")) {
  await benchLean((line) => console.log(line));
} else if (wanted("start")) {
  await benchLean((line) => console.log(line), { traffic: false });
}
if (wanted("soak")) {
  await benchSoak(soakOptions(args), (line) => console.log(line));
}
