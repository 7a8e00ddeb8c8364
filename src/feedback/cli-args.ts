/**
 * The flags of `npm run dataset` and `npm run data`, read with node:util's parseArgs and checked
 * with zod; a bad flag is a CliArgsError whose message says what to write instead (exit 2).
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import type { Platform } from "../core/message.js";
import type { DatasetFormat } from "./dataset.js";

export class CliArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliArgsError";
  }
}

export const DATASET_USAGE = `Usage:
  npm run dataset -- export --persona NAME [--rating good|bad] [--since YYYY-MM-DD] --format openai|sharegpt --out FILE.jsonl
  npm run dataset -- --stats
Writes the rated answers of one persona as fine-tuning records (JSON Lines), people pseudonymised
and secrets masked. --stats prints rated answers per persona and rating.
Exit codes: 0 written (or stats printed), 1 nothing matched (no file written), 2 bad arguments or configuration.
`;

export const DATA_USAGE = `Usage:
  npm run data -- forget --platform discord|slack|console --user ID
Deletes everything troupe stores about one person (their turns and the answers to them, their
ratings, the records of their questions, their DM's persona) and prints the counts.
Exit codes: 0 done, 2 bad arguments or configuration.
`;

export type DatasetArgs =
  | { kind: "help" }
  | { kind: "stats" }
  | {
      kind: "export";
      persona: string;
      rating?: "good" | "bad";
      since?: number;
      format: DatasetFormat;
      out: string;
    };

const exportSchema = z.object({
  persona: z.string({ error: "--persona NAME is required" }).min(1, "--persona NAME is required"),
  rating: z.enum(["good", "bad"], { error: "--rating must be good or bad" }).optional(),
  since: z.string().optional(),
  format: z.enum(["openai", "sharegpt"], { error: "--format must be openai or sharegpt" }),
  out: z.string({ error: "--out FILE.jsonl is required" }).min(1, "--out FILE.jsonl is required"),
});

/** parseArgs's own complaint (an unknown flag, a missing value) as a CliArgsError. */
function parse<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new CliArgsError(error instanceof Error ? error.message : String(error));
  }
}

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? "bad arguments";
}

export function readDatasetArgs(argv: readonly string[]): DatasetArgs {
  const { values, positionals } = parse(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        persona: { type: "string" },
        rating: { type: "string" },
        since: { type: "string" },
        format: { type: "string" },
        out: { type: "string" },
        stats: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }),
  );
  if (values.help === true) return { kind: "help" };
  if (values.stats === true) return { kind: "stats" };
  if (positionals[0] !== "export" || positionals.length > 1)
    throw new CliArgsError("say `export` (with --persona, --format and --out) or `--stats`");
  const parsed = exportSchema.safeParse(values);
  if (!parsed.success) throw new CliArgsError(firstIssue(parsed.error));
  const { since, ...rest } = parsed.data;
  if (since === undefined) return { kind: "export", ...rest };
  const at = Date.parse(since);
  if (!/^\d{4}-\d{2}-\d{2}/.test(since) || Number.isNaN(at))
    throw new CliArgsError(`--since must be a date like 2026-01-31, got ${since}`);
  return { kind: "export", ...rest, since: at };
}

export type DataArgs = { kind: "help" } | { kind: "forget"; platform: Platform; user: string };

const forgetSchema = z.object({
  platform: z.enum(["discord", "slack", "console"], {
    error: "--platform must be discord, slack or console",
  }),
  user: z.string({ error: "--user ID is required" }).min(1, "--user ID is required"),
});

export function readDataArgs(argv: readonly string[]): DataArgs {
  const { values, positionals } = parse(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        platform: { type: "string" },
        user: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }),
  );
  if (values.help === true) return { kind: "help" };
  if (positionals[0] !== "forget" || positionals.length > 1)
    throw new CliArgsError("say `forget --platform discord|slack|console --user ID`");
  const parsed = forgetSchema.safeParse(values);
  if (!parsed.success) throw new CliArgsError(firstIssue(parsed.error));
  return { kind: "forget", ...parsed.data };
}
