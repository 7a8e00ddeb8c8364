/**
 * `npm run bench -- busy`: troupe under load beside the bare bots (bench/bare-*.ts), both measured
 * in this run, as real child processes, against the same fakes and model timings, printed as rows
 * of bare, troupe, and their ratio (troupe / bare). Each side of each scenario runs on its own: one
 * that cannot run prints one line saying why, and the others still run.
 */
import {
  BURST_PEOPLE,
  BURST_STREAM_MS,
  BURST_TIMEOUT_MS,
  benchDiscordBusy,
  type DiscordBusyFigures,
  LATENCY_ANSWERS,
  LATENCY_STREAM_MS,
  LATENCY_TIMEOUT_MS,
  type Side,
} from "./busy-discord.js";
import {
  benchSlackBusyBare,
  benchSlackBusyTroupe,
  SLACK_EVENTS,
  SLACK_INSTANCES,
  type SlackAnswerCounts,
  type SlackBusyFigures,
} from "./busy-slack.js";

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

async function attempt<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: text.split("\n")[0]?.slice(0, 500) ?? "unknown" };
  }
}

const value = <T>(outcome: Outcome<T>): T | undefined => (outcome.ok ? outcome.value : undefined);
const seconds = (ms: number | undefined) => (ms === undefined ? "—" : `${(ms / 1000).toFixed(1)} s`);
const millis = (ms: number | undefined) => (ms === undefined ? "—" : `${Math.round(ms)} ms`);
const count = (n: number | undefined) => (n === undefined ? "—" : String(n));
function ratio(troupe: number | undefined, bare: number | undefined): string {
  if (troupe === undefined || bare === undefined || bare <= 0) return "—";
  const r = troupe / bare;
  return `${r >= 10 ? Math.round(r) : r.toFixed(2)}×`;
}

type Row = [label: string, bare: string, troupe: string, ratio: string];

function table(rows: Row[]): string[] {
  const header: Row = ["", "bare", "troupe", "troupe/bare"];
  const all = [header, ...rows];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...all.map((row) => row[column]?.length ?? 0)));
  return all.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd(),
  );
}

function failures(scenario: string, outcomes: [Side, Outcome<unknown>][]): string[] {
  return outcomes.flatMap(([side, outcome]) =>
    outcome.ok ? [] : [`  ${scenario}, ${side}: could not run: ${outcome.reason}`],
  );
}

/** A side that ran but did not get every answer out in time says so (its cells show how far it got). */
function unfinished(side: Side, figures: DiscordBusyFigures | undefined): string[] {
  if (figures === undefined) return [];
  return [
    ...(figures.burst.completeMs === undefined
      ? [
          `  (a) ${side}: ${figures.burst.answered} of ${BURST_PEOPLE} answers complete after ${BURST_TIMEOUT_MS / 1000} s`,
        ]
      : []),
    ...(figures.lastTokenToText === undefined
      ? [
          `  (b) ${side}: ${figures.latencyAnswered} of ${LATENCY_ANSWERS} answers complete after ${LATENCY_TIMEOUT_MS / 1000} s`,
        ]
      : []),
  ];
}

function discordRows(bareRun: Outcome<DiscordBusyFigures>, troupeRun: Outcome<DiscordBusyFigures>): string[] {
  const bare = value(bareRun);
  const troupe = value(troupeRun);
  const burst = (figures: DiscordBusyFigures | undefined) =>
    figures === undefined
      ? "—"
      : figures.burst.completeMs === undefined
        ? `${figures.burst.answered}/${BURST_PEOPLE} done`
        : seconds(figures.burst.completeMs);
  const rows: Row[] = [
    [
      `(a) Discord: ${BURST_PEOPLE} mentions at once in one channel → every full answer on Discord`,
      burst(bare),
      burst(troupe),
      ratio(troupe?.burst.completeMs, bare?.burst.completeMs),
    ],
    [
      "(a) 429s the fake Discord sent meanwhile",
      count(bare?.burst.tooManyRequests),
      count(troupe?.burst.tooManyRequests),
      "",
    ],
    [
      "(b) Discord, room in the channel: model's last token → full text on Discord, p50",
      millis(bare?.lastTokenToText?.medianMs),
      millis(troupe?.lastTokenToText?.medianMs),
      ratio(troupe?.lastTokenToText?.medianMs, bare?.lastTokenToText?.medianMs),
    ],
    [
      "(b) … p99",
      millis(bare?.lastTokenToText?.p99Ms),
      millis(troupe?.lastTokenToText?.p99Ms),
      ratio(troupe?.lastTokenToText?.p99Ms, bare?.lastTokenToText?.p99Ms),
    ],
  ];
  return [
    ...table(rows),
    `  (a) answers streamed over ${BURST_STREAM_MS / 1000} s each; the fake's budget: 5 writes per 5 s per channel. ` +
      `(b) ${LATENCY_ANSWERS} mentions 250 ms apart, each in its own channel, answers streamed over ${LATENCY_STREAM_MS} ms.`,
    ...unfinished("bare", bare),
    ...unfinished("troupe", troupe),
    ...failures("(a)/(b)", [
      ["bare", bareRun],
      ["troupe", troupeRun],
    ]),
  ];
}

function slackRows(bareRun: Outcome<SlackAnswerCounts>, troupeRun: Outcome<SlackBusyFigures>): string[] {
  const bare = value(bareRun);
  const troupe = value(troupeRun);
  const of = (n: number | undefined) => (n === undefined ? "—" : `${n}/${SLACK_EVENTS}`);
  const rows: Row[] = [
    ["(c) Slack HTTP: events answered exactly once", of(bare?.answeredOnce), of(troupe?.answeredOnce), ""],
    [
      `(c) extra answers (retries sent: ${troupe?.retriesSent ?? "—"}, to troupe only)`,
      count(bare?.duplicateAnswers),
      count(troupe?.duplicateAnswers),
      "",
    ],
    ["(c) events never answered", count(bare?.neverAnswered), count(troupe?.neverAnswered), ""],
    ["(c) questions missing from the histories in Redis", "—", count(troupe?.turnsLost), ""],
    [
      "(c) events answered per second, first send → last answer",
      count(bare?.eventsPerSecond),
      count(troupe?.eventsPerSecond),
      ratio(troupe?.eventsPerSecond, bare?.eventsPerSecond),
    ],
  ];
  const refused = [bare?.refusedSends ?? 0, troupe?.refusedSends ?? 0];
  return [
    ...table(rows),
    `  (c) ${SLACK_EVENTS} signed app_mention events in 50 threads, instant model; troupe: ${SLACK_INSTANCES} instances ` +
      "on one redis-server, sent round-robin, 10% again to another instance as Slack retries; bare: one Bolt app.",
    ...(refused.some((n) => n > 0)
      ? [`  (c) sends not acknowledged with a 2xx: bare ${refused[0]}, troupe ${refused[1]}`]
      : []),
    ...failures("(c)", [
      ["bare", bareRun],
      ["troupe", troupeRun],
    ]),
  ];
}

/** Runs the scenarios one side at a time and prints each scenario's rows once both sides are done. */
export async function benchBusy(print: (line: string) => void): Promise<void> {
  print("busy: troupe beside a bare bot, both measured now against the same fakes");
  const bareDiscord = await attempt(() => benchDiscordBusy("bare"));
  const troupeDiscord = await attempt(() => benchDiscordBusy("troupe"));
  for (const line of discordRows(bareDiscord, troupeDiscord)) print(line);
  const bareSlack = await attempt(benchSlackBusyBare);
  const troupeSlack = await attempt(benchSlackBusyTroupe);
  for (const line of slackRows(bareSlack, troupeSlack)) print(line);
}
