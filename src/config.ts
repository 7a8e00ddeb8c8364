/**
 * The only reader of the environment (and of `.env`). Every variable is validated here once; a bad
 * value stops start-up before anything connects, naming the variable, what is wrong, and an example.
 */
import { config as loadDotenv } from "dotenv";
import { z } from "zod";
import { maskUrl } from "./lib/mask-url.js";
import {
  DEFAULT_EMBEDDED_MODEL,
  DEFAULT_MODELS_DIR,
  modelSourceProblem,
} from "./model/startup/model-source.js";
import { DEFAULT_PERSONA_MAX_KB } from "./personas/persona-limits.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function integer(min: number, max: number) {
  return z.coerce
    .number({ error: "is not a number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
}

function positiveNumber() {
  return z.coerce.number({ error: "is not a number" }).positive("must be more than 0");
}

/**
 * Ollama's own OLLAMA_HOST accepts `host`, `host:port` and full URLs; so does ours. A bare host gets
 * Ollama's port 11434; a full URL keeps its scheme's default port (a reverse proxy on https).
 */
function normalizeOllamaHost(value: string): string {
  if (/^[a-z]+:\/\//i.test(value)) return new URL(value).toString().replace(/\/$/, "");
  const url = new URL(`http://${value}`);
  if (url.port === "") url.port = "11434";
  return url.toString().replace(/\/$/, "");
}

/** true/false, yes/no, on/off, 1/0, any case. */
function flag() {
  return z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined) return false;
      const normalized = value.toLowerCase();
      if (["true", "yes", "on", "1"].includes(normalized)) return true;
      if (["false", "no", "off", "0"].includes(normalized)) return false;
      context.addIssue({ code: "custom", message: "must be true or false" });
      return z.NEVER;
    });
}

const httpUrl = z.string().refine((value) => {
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, "is not an http(s) URL");

/** Each variable: its schema (with default) and a good example for the error message. */
const variables = {
  /** auto: Ollama if it answers, else OPENAI_BASE_URL if set, else the embedded engine. */
  MODEL_PROVIDER: {
    schema: z.enum(["auto", "ollama", "openai", "embedded"]).default("auto"),
    example: "auto",
  },
  OLLAMA_HOST: {
    schema: z
      .string()
      .default("http://127.0.0.1:11434")
      .transform((value, context) => {
        try {
          return normalizeOllamaHost(value);
        } catch {
          context.addIssue({ code: "custom", message: "is not a host or URL" });
          return z.NEVER;
        }
      }),
    example: "http://127.0.0.1:11434",
  },
  OPENAI_BASE_URL: { schema: httpUrl.optional(), example: "http://127.0.0.1:8000/v1" },
  OPENAI_API_KEY: { schema: z.string().min(1).optional(), example: "sk-..." },
  MODEL: { schema: z.string().trim().min(1, "must not be empty").optional(), example: "llama3.2" },
  CONTEXT_TOKENS: { schema: integer(512, 10_000_000).default(8192), example: "8192" },
  REPLY_TOKENS: { schema: integer(16, 1_000_000).default(1024), example: "1024" },
  MODEL_IDLE_TIMEOUT_SECONDS: { schema: positiveNumber().default(120), example: "120" },
  /**
   * How many answers (and commands) troupe works on at once; more wait their turn in arrival order.
   * A model server answers only so many at once anyway, and a burst held as answers in flight costs
   * memory and store time that a waiting event does not.
   */
  MAX_CONCURRENT_ANSWERS: { schema: integer(1, 100_000).default(64), example: "64" },
  EMBEDDED_MODEL: {
    schema: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .default(DEFAULT_EMBEDDED_MODEL)
      .superRefine((value, context) => {
        const problem = modelSourceProblem(value);
        if (problem) context.addIssue({ code: "custom", message: problem });
      }),
    example: "hf:bartowski/Qwen2.5-1.5B-Instruct-GGUF/Qwen2.5-1.5B-Instruct-Q4_K_M.gguf",
  },
  /** Unset: the machine's cores. More threads than cores is many times slower, not faster. */
  EMBEDDED_THREADS: { schema: integer(1, 1024).optional(), example: "2" },
  MODELS_DIR: { schema: z.string().min(1).default(DEFAULT_MODELS_DIR), example: "./models" },
  /**
   * The embedding model of the chat model's provider, for personas with `knowledge:`. Unset:
   * keyword search alone. With the embedded engine, a GGUF file path.
   */
  EMBED_MODEL: {
    schema: z.string().trim().min(1, "must not be empty").optional(),
    example: "nomic-embed-text",
  },
  /** The knowledge index: one SQLite file for every persona's documents (FTS5 and sqlite-vec). */
  KNOWLEDGE_DB: {
    schema: z.string().min(1).default("./data/knowledge.sqlite"),
    example: "./data/knowledge.sqlite",
  },
  STORE_URL: {
    schema: z
      .string()
      .default("sqlite://./data/troupe.sqlite")
      .refine(
        (value) => /^(sqlite|memory|redis|rediss):\/\//.test(value),
        "must start with sqlite://, memory://, redis:// or rediss://",
      ),
    example: "sqlite://./data/troupe.sqlite",
  },
  HISTORY_TTL_DAYS: { schema: positiveNumber().default(30), example: "30" },
  HISTORY_MAX_TURNS: { schema: integer(2, 100_000).default(200), example: "200" },
  PERSONAS_DIR: { schema: z.string().min(1).default("./personas"), example: "./personas" },
  /** A larger persona file is refused unread: a persona is a prompt sent with every message. */
  PERSONA_MAX_KB: { schema: integer(1, 102_400).default(DEFAULT_PERSONA_MAX_KB), example: "256" },
  DEFAULT_PERSONA: {
    schema: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/, "must be a persona name (a-z, 0-9, '-')")
      .default("tutor"),
    example: "tutor",
  },
  DISCORD_TOKEN: {
    schema: z
      .string()
      .refine((value) => !/^bot\s/i.test(value), "must be the bare token, without the 'Bot ' prefix")
      .optional(),
    example: "MTA4...your-bot-token",
  },
  /** The REST base (a REST proxy for large bots); the gateway URL is asked of it. */
  DISCORD_API_URL: { schema: httpUrl.optional(), example: "http://127.0.0.1:8080/api" },
  DISCORD_GUILD_ID: {
    schema: z
      .string()
      .regex(/^\d{15,25}$/, "must be a server id (a long number)")
      .optional(),
    example: "123456789012345678",
  },
  DISCORD_REGISTER_COMMANDS: { schema: flag(), example: "true" },
  DISCORD_AUTO_THREAD: { schema: flag(), example: "true" },
  DISCORD_PERSONA_WEBHOOKS: { schema: flag(), example: "true" },
  DISCORD_SHARDS: {
    schema: z
      .union([z.literal("auto"), integer(1, 100_000)], {
        error: 'must be "auto" or a whole number of shards',
      })
      .optional(),
    example: "auto",
  },
  /**
   * The shards of DISCORD_SHARDS this process runs (`0,1`), so one bot spreads over machines.
   * Unset: every shard. Each id is checked against DISCORD_SHARDS after all variables are read.
   */
  DISCORD_SHARD_IDS: {
    schema: z
      .string()
      .optional()
      .transform((value, context) => {
        if (value === undefined) return undefined;
        const parts = value.split(/[\s,]+/).filter((part) => part.length > 0);
        const bad = parts.find((part) => !/^\d+$/.test(part));
        if (bad !== undefined || parts.length === 0) {
          context.addIssue({
            code: "custom",
            message: `must be shard numbers separated by commas (${JSON.stringify(bad ?? "")} is not a whole number 0 or more)`,
          });
          return z.NEVER;
        }
        const ids = parts.map(Number);
        const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
        if (repeated !== undefined) {
          context.addIssue({ code: "custom", message: `names shard ${repeated} twice` });
          return z.NEVER;
        }
        return ids;
      }),
    example: "0,1",
  },
  SLACK_BOT_TOKEN: {
    schema: z.string().startsWith("xoxb-", "must be a bot token starting with xoxb-").optional(),
    example: "xoxb-...",
  },
  SLACK_APP_TOKEN: {
    schema: z.string().startsWith("xapp-", "must be an app-level token starting with xapp-").optional(),
    example: "xapp-...",
  },
  SLACK_SIGNING_SECRET: {
    schema: z.string().min(8, "is too short for a signing secret").optional(),
    example: "8f742231b10e8888abcd99yyyzzz85a5",
  },
  SLACK_API_URL: { schema: httpUrl.optional(), example: "https://slack.com/api/" },
  /** The Events API's HTTP port (when SLACK_APP_TOKEN is not set). */
  PORT: { schema: integer(1, 65_535).default(3000), example: "3000" },
  SLACK_ADMIN_USERS: {
    schema: z
      .string()
      .optional()
      .transform((value) => (value ?? "").split(/[\s,]+/).filter((id) => id.length > 0)),
    example: "U012ABCDEF,U034GHIJKL",
  },
  SLACK_NATIVE_STREAMING: { schema: flag(), example: "true" },
  /** The least time between two chat.update calls in one workspace (Tier 3: about 50 a minute). */
  SLACK_UPDATE_INTERVAL_MS: { schema: integer(100, 60_000).default(1200), example: "1200" },
  /** How long start-up keeps trying a platform it cannot reach (waits of 1, 2, 4… s); 0: once. */
  PLATFORM_RETRY_SECONDS: { schema: integer(0, 3_600).default(60), example: "60" },
  /** Set: /healthz, /readyz and /metrics are served on this port (src/app/service-endpoints.ts). */
  METRICS_PORT: { schema: integer(1, 65_535).optional(), example: "9464" },
  /**
   * Set: the address at which people's platforms reach this troupe's HTTP server. A persona's local
   * picture (`avatar: avatars/NAME.png`) is served at `<PUBLIC_URL>/avatars/NAME.png` (METRICS_PORT's
   * server, and Slack's PORT in HTTP mode) and shown by that URL: Discord and Slack take pictures
   * by URL only.
   */
  PUBLIC_URL: {
    schema: httpUrl.transform((value) => value.replace(/\/+$/, "")).optional(),
    example: "https://troupe.example.com",
  },
  /** Where the endpoints listen: all interfaces by default (a container's port is its only door). */
  METRICS_HOST: { schema: z.string().min(1).default("0.0.0.0"), example: "127.0.0.1" },
  /** How long a stop waits for answers in flight before ending them with the interrupted note. */
  SHUTDOWN_GRACE_SECONDS: { schema: integer(1, 3_600).default(20), example: "20" },
  /** Set: one trace per answer, sent as OTLP over HTTP to `<endpoint>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: { schema: httpUrl.optional(), example: "http://127.0.0.1:4318" },
  /** Unset: info, or warn when readable log lines share a terminal with the chat. */
  LOG_LEVEL: { schema: z.enum(LOG_LEVELS).optional(), example: "info" },
  /** Unset: JSON lines, or short readable lines when standard error is a terminal. */
  LOG_FORMAT: { schema: z.enum(["json", "pretty"]).optional(), example: "pretty" },
  /**
   * Where logs go. Unset: a file beside the SQLite store (./data/troupe.log) for the interactive
   * terminal chat, standard error otherwise. "-" (or set empty): standard error.
   */
  LOG_FILE: {
    schema: z
      .string()
      .optional()
      .transform((value) => (value === "" ? "-" : value)),
    example: "./data/troupe.log",
  },
  /** The informal standard (no-color.org): any value turns colours off. */
  NO_COLOR: { schema: z.string().optional(), example: "1" },
} as const;

type Variables = typeof variables;
type RawConfig = { [Name in keyof Variables]: z.output<Variables[Name]["schema"]> };

export interface Config extends Omit<RawConfig, "MODEL"> {
  /** Resolved: the Ollama default when unset, required for an OpenAI-compatible server. */
  MODEL: string;
}

const DEFAULT_OLLAMA_MODEL = "llama3.2";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration error:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Variables that hold a URL, which may carry a password or a `?key=` token. */
const URL_VARIABLES = new Set([
  "OLLAMA_HOST",
  "OPENAI_BASE_URL",
  "STORE_URL",
  "DISCORD_API_URL",
  "SLACK_API_URL",
  "EMBEDDED_MODEL",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "PUBLIC_URL",
]);
/** Variables whose whole value is a secret: a problem with one never prints it. */
const SECRET_VARIABLES = new Set([
  "OPENAI_API_KEY",
  "DISCORD_TOKEN",
  "SLACK_BOT_TOKEN",
  "SLACK_APP_TOKEN",
  "SLACK_SIGNING_SECRET",
]);

/** Variables where set-but-empty is a choice of its own, not the same as unset. */
const EMPTY_MEANS_SOMETHING = new Set(["LOG_FILE"]);

/** A bad value as a config error prints it: URLs masked, secrets not at all (standard error may be logged). */
function shownValue(name: string, raw: string | undefined): string {
  if (raw !== undefined && SECRET_VARIABLES.has(name)) return `(${raw.length} characters, not shown)`;
  if (raw !== undefined && URL_VARIABLES.has(name)) return JSON.stringify(maskUrl(raw));
  return JSON.stringify(raw);
}

/**
 * Reads the configuration from `env` (the process environment by default), after filling it from a
 * `.env` file (`./.env` unless `dotenvPath` says otherwise; `readDotenv: false` skips it). Variables
 * already set win over the file, so a deployment can override what a `.env` says.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { readDotenv?: boolean; dotenvPath?: string } = {},
): Config {
  if (options.readDotenv ?? true) {
    // quiet: dotenv 17 otherwise prints a banner on stdout, which would break `echo hi | npm start`.
    // A missing file is fine: .env is optional.
    loadDotenv({ quiet: true, processEnv: env as Record<string, string>, path: options.dotenvPath });
  }
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(variables)) {
    const raw = env[name];
    const input =
      raw === undefined || (raw.trim() === "" && !EMPTY_MEANS_SOMETHING.has(name)) ? undefined : raw.trim();
    const parsed = variable.schema.safeParse(input);
    if (parsed.success) {
      values[name] = parsed.data;
    } else {
      const reason = parsed.error.issues[0]?.message ?? "is not valid";
      problems.push(`${name}=${shownValue(name, raw)} ${reason}. Example: ${name}=${variable.example}`);
    }
  }
  const raw = values as RawConfig;
  if (problems.length === 0 && raw.MODEL_PROVIDER === "openai") {
    if (raw.OPENAI_BASE_URL === undefined) {
      problems.push(
        "OPENAI_BASE_URL is required with MODEL_PROVIDER=openai. Example: OPENAI_BASE_URL=http://127.0.0.1:8000/v1",
      );
    }
    if (raw.MODEL === undefined) {
      problems.push(
        "MODEL is required with MODEL_PROVIDER=openai (the server's model id). Example: MODEL=gpt-4o-mini",
      );
    }
  }
  // auto picks the server when OPENAI_BASE_URL is set; Ollama's default model name means nothing there.
  if (
    problems.length === 0 &&
    raw.MODEL_PROVIDER === "auto" &&
    raw.OPENAI_BASE_URL !== undefined &&
    raw.MODEL === undefined
  ) {
    problems.push(
      "MODEL is required when OPENAI_BASE_URL is set (the server's model id). Example: MODEL=gpt-4o-mini",
    );
  }
  if (problems.length === 0 && raw.DISCORD_SHARD_IDS !== undefined) {
    problems.push(...shardIdProblems(raw.DISCORD_SHARD_IDS, raw.DISCORD_SHARDS, env.DISCORD_SHARD_IDS));
  }
  if (problems.length === 0 && raw.SLACK_BOT_TOKEN !== undefined) {
    if (raw.SLACK_APP_TOKEN === undefined && raw.SLACK_SIGNING_SECRET === undefined) {
      problems.push(
        "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP events) is. Example: SLACK_APP_TOKEN=xapp-...",
      );
    }
  }
  if (problems.length === 0 && raw.SLACK_APP_TOKEN !== undefined && raw.SLACK_BOT_TOKEN === undefined) {
    problems.push(
      "SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: Slack needs both. Example: SLACK_BOT_TOKEN=xoxb-...",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...raw, MODEL: raw.MODEL ?? DEFAULT_OLLAMA_MODEL };
}

/**
 * DISCORD_SHARD_IDS picks shards out of a known total: with DISCORD_SHARDS unset or auto there is no
 * total to pick from (Discord's recommendation may change between two machines' start-ups), and an
 * id at or past the total is a shard Discord refuses.
 */
function shardIdProblems(
  shardIds: readonly number[],
  shards: number | "auto" | undefined,
  raw: string | undefined,
): string[] {
  const shown = JSON.stringify(raw);
  if (typeof shards !== "number") {
    return [
      `DISCORD_SHARD_IDS=${shown} needs DISCORD_SHARDS set to the bot's total number of shards (it is ${shards === undefined ? "unset" : '"auto"'}); every process must agree on it. Example: DISCORD_SHARDS=2 with DISCORD_SHARD_IDS=0 on one machine and DISCORD_SHARD_IDS=1 on the other`,
    ];
  }
  const outside = shardIds.filter((id) => id >= shards);
  if (outside.length === 0) return [];
  return [
    `DISCORD_SHARD_IDS=${shown} names shard ${outside.join(", ")}, but DISCORD_SHARDS=${shards} numbers the shards 0 to ${shards - 1}. Example: DISCORD_SHARD_IDS=${shards === 1 ? "0" : `0,${shards - 1}`}`,
  ];
}

/**
 * The process environment with some variables set over it, for a tool whose flags override a
 * variable (`npm run eval -- --model M` sets MODEL): a flag wins over the environment and `.env`.
 */
export function environmentWith(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(overrides)) if (value !== undefined) env[name] = value;
  return env;
}

/**
 * For a program's entry point: the configuration, or (when it is bad) every problem on standard
 * error and exit code 1, before anything connects.
 */
export function loadConfigOrExit(program: string): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(
      `${program}: ${error.message}\nSee .env.example and the README's configuration table.\n`,
    );
    process.exit(1);
  }
}
