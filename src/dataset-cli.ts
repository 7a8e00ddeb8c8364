/**
 * `npm run dataset -- export --persona NAME [--rating good|bad] [--since DATE] --format openai|sharegpt
 * --out FILE.jsonl`, and `npm run dataset -- --stats`: the rated answers in the configured store as
 * fine-tuning records (src/feedback/dataset.ts). Exit 0 written, 1 nothing matched (no file
 * written), 2 bad arguments or configuration. The wiring only.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { openToolStore, runStoreTool } from "./app/store-tool.js";
import { CliArgsError, DATASET_USAGE, readDatasetArgs } from "./feedback/cli-args.js";
import { datasetLines, datasetStats, readRatedExchanges, selectExchanges } from "./feedback/dataset.js";

const EXIT_NOTHING = 1;

async function main(): Promise<number> {
  const args = readDatasetArgs(process.argv.slice(2));
  if (args.kind === "help") {
    process.stdout.write(DATASET_USAGE);
    return 0;
  }
  const store = await openToolStore();
  let rated: Awaited<ReturnType<typeof readRatedExchanges>>;
  try {
    rated = await readRatedExchanges(store);
  } finally {
    await store.close();
  }
  if (args.kind === "stats") {
    process.stdout.write(datasetStats(rated));
    return 0;
  }
  const exchanges = selectExchanges(rated, args);
  if (exchanges.length === 0) {
    process.stderr.write(
      `dataset: no rated answers of ${args.persona} match${args.rating ? ` (rating ${args.rating})` : ""}${args.since ? " since that date" : ""}; nothing written. See --stats.\n`,
    );
    return EXIT_NOTHING;
  }
  const lines = datasetLines(exchanges, args.format);
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, `${lines.join("\n")}\n`, "utf8");
  process.stdout.write(`Wrote ${lines.length} ${args.format} records of ${args.persona} to ${args.out}\n`);
  return 0;
}

runStoreTool("dataset", DATASET_USAGE, (error): error is CliArgsError => error instanceof CliArgsError, main);
