/**
 * One measurement run of the embedded engine in a fresh process (so memory figures are its own):
 * `node --import tsx bench/embedded-child.ts <threads>` prints one JSON line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getSharedLlama, importNodeLlamaCpp } from "../src/model/embedded/embedded-llama.js";
import { createEmbeddedModel } from "../src/model/embedded/embedded-provider.js";
import { writeTinyLlama } from "../tests/fixtures/tiny-llama.js";
import { summarize } from "./stats.js";

const threads = Number(process.argv[2] ?? "1");
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const dir = mkdtempSync(join(tmpdir(), "troupe-bench-embedded-"));
try {
  const modelPath = writeTinyLlama(dir, "tiny.gguf");
  const rssBeforeMb = mb(process.memoryUsage.rss());
  const model = createEmbeddedModel({ modelPath, contextTokens: 1024, threads, parallel: 1 });
  // The three parts of a cold load: the library, its native binding, then the model and its context.
  const importStarted = performance.now();
  await importNodeLlamaCpp();
  const bindingStarted = performance.now();
  await getSharedLlama();
  const loadStarted = performance.now();
  const health = await model.check();
  const loadMs = performance.now() - loadStarted;
  const importMs = bindingStarted - importStarted;
  const bindingMs = loadStarted - bindingStarted;
  if (!health.ok) throw new Error(health.message);
  const rssAfterLoadMb = mb(process.memoryUsage.rss());

  // A different system prompt each run: the sequence would otherwise reuse the cached prompt.
  const request = (run: number, maxTokens: number) => ({
    messages: [
      { role: "system" as const, content: `Run ${run}. You are a tiny benchmark model.` },
      { role: "user" as const, content: "Tell me a long story about benchmarks, please." },
    ],
    maxTokens,
    temperature: 0.8,
  });
  const firstToken: number[] = [];
  const tokensPerSecond: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    let first: number | undefined;
    let completion = 0;
    for await (const part of model.stream(request(run, 200))) {
      if (part.type === "text-delta") first ??= performance.now();
      else completion = part.usage.completionTokens ?? 0;
    }
    const ended = performance.now();
    if (first === undefined) throw new Error("no text");
    firstToken.push(first - started);
    // The first token's time is the prompt's; speed counts the tokens after it.
    tokensPerSecond.push(((completion - 1) * 1000) / (ended - first));
  }
  const rssAfterGenerationMb = mb(process.memoryUsage.rss());
  await model.close();
  const speed = summarize(tokensPerSecond);
  process.stdout.write(
    `${JSON.stringify({
      threads,
      importMs: Math.round(importMs),
      bindingMs: Math.round(bindingMs),
      loadMs: Math.round(loadMs),
      firstTokenMs: summarize(firstToken).medianMs,
      tokensPerSecond: Math.round(speed.medianMs),
      rssBeforeMb,
      rssAfterLoadMb,
      rssAfterGenerationMb,
    })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
