/**
 * The embedded engine on the tiny fixture model (0.5 MB, random weights), with 1 and 2 threads:
 * cold load (import node-llama-cpp, native binding, model, context), first-token latency, decode
 * speed, and the process's memory before and after loading. Each thread count runs in its own
 * process so memory figures are not mixed. The fixture measures the engine's overheads; a real
 * model's speed depends on its size (see the README).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { z } from "zod";
import { repoRoot } from "../tests/helpers/run-troupe.js";

const run = promisify(execFile);

const figures = z.object({
  threads: z.number(),
  importMs: z.number(),
  bindingMs: z.number(),
  loadMs: z.number(),
  firstTokenMs: z.number(),
  tokensPerSecond: z.number(),
  rssBeforeMb: z.number(),
  rssAfterLoadMb: z.number(),
  rssAfterGenerationMb: z.number(),
});
export type EmbeddedFigures = z.infer<typeof figures>;

export async function benchEmbedded(threadCounts: number[] = [1, 2]): Promise<EmbeddedFigures[]> {
  const results: EmbeddedFigures[] = [];
  for (const threads of threadCounts) {
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "bench/embedded-child.ts", String(threads)],
      {
        cwd: repoRoot,
      },
    );
    results.push(figures.parse(JSON.parse(stdout)));
  }
  return results;
}

/** One line per thread count, for `npm run bench`. */
export function formatEmbeddedFigures(results: EmbeddedFigures[]): string[] {
  return results.map(
    (result) =>
      `embedded (fixture model, ${result.threads} thread${result.threads === 1 ? "" : "s"}): ` +
      `import ${result.importMs} ms + binding ${result.bindingMs} ms + model ${result.loadMs} ms, ` +
      `first token ${result.firstTokenMs} ms, ${result.tokensPerSecond} tokens/s, ` +
      `RSS ${result.rssBeforeMb} MB before load, ${result.rssAfterLoadMb} MB after, ${result.rssAfterGenerationMb} MB after generating`,
  );
}
