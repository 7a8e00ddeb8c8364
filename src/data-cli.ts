/**
 * `npm run data -- forget --platform discord --user ID`: what `/forget-me` does, for an admin —
 * everything troupe stores about one person, on the configured STORE_URL, deleted, and the counts
 * printed. Exit 0 done, 2 bad arguments or configuration. The wiring only: the work is in
 * src/feedback/forget.ts.
 */
import { openToolStore, runStoreTool } from "./app/store-tool.js";
import { CliArgsError, DATA_USAGE, readDataArgs } from "./feedback/cli-args.js";
import { forgetPerson } from "./feedback/forget.js";
import { createPseudonyms } from "./feedback/pseudonym.js";

async function main(): Promise<number> {
  const args = readDataArgs(process.argv.slice(2));
  if (args.kind === "help") {
    process.stdout.write(DATA_USAGE);
    return 0;
  }
  const store = await openToolStore();
  try {
    const counts = await forgetPerson(store, createPseudonyms(store), args.platform, args.user);
    process.stdout.write(
      [
        `Forgot ${args.platform} user ${args.user}:`,
        `  turns: ${counts.turns} (their messages and the answers to them, in ${counts.conversations} conversations)`,
        `  exchange records: ${counts.exchanges}`,
        `  ratings: ${counts.ratings}`,
        `  bindings: ${counts.bindings}`,
        "",
      ].join("\n"),
    );
    return 0;
  } finally {
    await store.close();
  }
}

runStoreTool("data", DATA_USAGE, (error): error is CliArgsError => error instanceof CliArgsError, main);
