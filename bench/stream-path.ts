/**
 * CPU of one streamed answer's path, in process, against the bare minimum that does the same I/O:
 *   npx tsx bench/stream-path.ts [model|sink|both] [--answers 400] [--rounds 5] [--side bare|troupe]
 *
 * - model: createChatModel (retry → Ollama provider) streaming an answer from the fake Ollama (run
 *   in a child process, so its CPU is not counted), vs one shared `new Ollama()` and a plain
 *   `client.chat({ stream: true })` loop. Both sides get the same instant echo (a handful of chunks).
 * - sink: createSlackSink(...).stream with a fake SlackApi that answers at once, fed the deltas of
 *   such an answer through visibleText, vs "collect every delta, one chat.postMessage".
 *
 * Sides alternate, round after round; the figure is process.cpuUsage() (user + system) per answer,
 * the least and the median of the rounds. The machine is shared: compare the sides of one run, not runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { Ollama } from "ollama";
import { createSlackSink } from "../src/connectors/slack/slack-sink.js";
import { createSinkContext } from "../src/connectors/slack/slack-sink-context.js";
import type { SlackApi } from "../src/connectors/slack/slack-web-api.js";
import { visibleText } from "../src/core/visible-text.js";
import { silentLogger } from "../src/lib/logger.js";
import type { ChatPart } from "../src/model/chat-model.js";
import { createChatModel } from "../src/model/create-chat-model.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const which =
  args.find((arg, index) => !arg.startsWith("--") && !args[index - 1]?.startsWith("--")) ?? "both";
/** `--side troupe`: run one side alone (for `node --cpu-prof`). */
const onlySide = args[args.indexOf("--side") + 1];
const answers = option("answers", 400);
const rounds = option("rounds", 5);
/**
 * `--before DIR`: also run the sources under DIR (e.g. `git archive <commit> src | tar -x -C DIR`,
 * DIR inside the repository so packages resolve) as a side `before`, in the same process.
 */
const beforeDir = args.includes("--before") ? args[args.indexOf("--before") + 1] : undefined;
const before =
  beforeDir === undefined
    ? undefined
    : {
        createChatModel: (
          (await import(
            `${resolve(beforeDir)}/src/model/create-chat-model.ts`
          )) as typeof import("../src/model/create-chat-model.js")
        ).createChatModel,
        createSlackSink: (
          (await import(
            `${resolve(beforeDir)}/src/connectors/slack/slack-sink.ts`
          )) as typeof import("../src/connectors/slack/slack-sink.js")
        ).createSlackSink,
        createSinkContext: (
          (await import(
            `${resolve(beforeDir)}/src/connectors/slack/slack-sink-context.ts`
          )) as typeof import("../src/connectors/slack/slack-sink-context.js")
        ).createSinkContext,
        visibleText: (
          (await import(
            `${resolve(beforeDir)}/src/core/visible-text.ts`
          )) as typeof import("../src/core/visible-text.js")
        ).visibleText,
      };
const messages = [{ role: "user" as const, content: "U123 1234 hello there" }];

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

async function measure(name: string, allSides: Record<string, () => Promise<void>>): Promise<void> {
  const sides = Object.fromEntries(
    Object.entries(allSides).filter(([side]) => !args.includes("--side") || side === onlySide),
  );
  const perAnswer: Record<string, number[]> = {};
  const began = performance.now();
  // A warm-up round per side first: the JIT and the connection pool settle.
  for (const run of Object.values(sides)) for (let i = 0; i < 50; i++) await run();
  for (let round = 0; round < rounds; round++) {
    for (const [side, run] of Object.entries(sides)) {
      const start = cpuMicros();
      for (let i = 0; i < answers; i++) await run();
      const figures = perAnswer[side] ?? [];
      figures.push((cpuMicros() - start) / answers);
      perAnswer[side] = figures;
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const wallSeconds = ((performance.now() - began) / 1000).toFixed(1);
  // The least of the rounds is the figure least disturbed by other work on the machine.
  const line = Object.entries(perAnswer)
    .map(([side, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `${side} least ${sorted[0]?.toFixed(0)} us, median ${median(values).toFixed(0)} us`;
    })
    .join(" | ");
  console.log(`${name} (${wallSeconds} s), CPU per answer over ${rounds} rounds × ${answers}: ${line}`);
}

async function startFakeOllamaChild(): Promise<{ host: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/fakes/run-fake-ollama.ts"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(child.stdout ?? child, "data")) as [Buffer];
  const { host } = JSON.parse(line.toString()) as { host: string };
  return { host, child };
}

async function benchModel(): Promise<void> {
  const { host, child } = await startFakeOllamaChild();
  try {
    const model = createChatModel({
      provider: "ollama",
      model: "llama3.2:latest",
      contextTokens: 4096,
      ollamaHost: host,
      idleTimeoutMs: 60_000,
    });
    const shared = new Ollama({ host });
    const beforeModel = before?.createChatModel({
      provider: "ollama",
      model: "llama3.2:latest",
      contextTokens: 4096,
      ollamaHost: host,
      idleTimeoutMs: 60_000,
    });
    await measure("model", {
      ...(beforeModel === undefined
        ? {}
        : {
            before: async () => {
              const controller = new AbortController();
              for await (const _part of beforeModel.stream({ messages }, { signal: controller.signal })) {
              }
            },
          }),
      bare: async () => {
        const stream = await shared.chat({ model: "llama3.2:latest", messages, stream: true });
        for await (const chunk of stream) if (chunk.done) break;
      },
      troupe: async () => {
        // As answer.ts calls it: with the request's signal.
        const controller = new AbortController();
        for await (const _part of model.stream({ messages }, { signal: controller.signal })) {
        }
      },
    });
  } finally {
    child.kill();
  }
}

/** The parts of the fake Ollama's instant echo, as the provider yields them. */
const echo = "echo: U123 1234 hello there";
async function* echoParts(): AsyncGenerator<ChatPart> {
  for (let index = 0; index < echo.length; index += 4)
    yield { type: "text-delta", text: echo.slice(index, index + 4) };
  yield { type: "finish", reason: "stop", usage: { promptTokens: 10, completionTokens: 7 } };
}

async function benchSink(): Promise<void> {
  let ts = 0;
  let channels = 0;
  const calls = new Map<string, number>();
  const api: SlackApi = {
    call: async (method) => {
      calls.set(method, (calls.get(method) ?? 0) + 1);
      return { ok: true, ts: `1700000000.${String(++ts).padStart(6, "0")}` };
    },
  };
  const contextOptions = {
    api,
    teamId: "T1",
    logger: silentLogger,
    canCustomize: true,
    updateIntervalMs: 1_200,
    nativeStreaming: false,
  };
  const context = createSinkContext(contextOptions);
  const persona = { name: "helper", displayName: "Helper", emoji: ":robot_face:" };
  // Steady state under load: the workspace's update budget is spent, so an answer's first post waits
  // for the model's end and goes out whole (slack-answer-pacing.ts), as in slack-load.
  for (let i = 0; i < 50; i++) await context.updateBudget.acquire("T1");
  const deadline = new AbortController().signal;
  const beforeContext = before?.createSinkContext(contextOptions);
  if (beforeContext !== undefined)
    for (let i = 0; i < 50; i++) await beforeContext.updateBudget.acquire("T1");
  await measure("sink", {
    ...(before === undefined || beforeContext === undefined
      ? {}
      : {
          before: async () => {
            const sink = before.createSlackSink(beforeContext, {
              channel: `C${++channels}`,
              threadTs: "1.1",
              userId: "U1",
            });
            await sink.stream(before.visibleText(echoParts(), {}, new AbortController().signal), {
              persona,
              interruptedNote: "_(interrupted)_",
              deadline,
            });
          },
        }),
    bare: async () => {
      let text = "";
      for await (const delta of visibleText(echoParts(), {}, new AbortController().signal)) text += delta;
      await api.call("chat.postMessage", { channel: "C0", thread_ts: "1.1", text });
    },
    troupe: async () => {
      // A channel per answer, so the post budget (3 per 3 s per channel) never makes one wait.
      const sink = createSlackSink(context, { channel: `C${++channels}`, threadTs: "1.1", userId: "U1" });
      await sink.stream(visibleText(echoParts(), {}, new AbortController().signal), {
        persona,
        interruptedNote: "_(interrupted)_",
        deadline,
      });
    },
  });
  console.log(
    `  Slack calls, both sides: ${[...calls].map(([method, count]) => `${method} ${count}`).join(", ")}`,
  );
}

if (which === "model" || which === "both") await benchModel();
if (which === "sink" || which === "both") await benchSink();
