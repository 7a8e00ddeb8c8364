import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, { readDotenv: false });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("config", () => {
  it("has working defaults for a newcomer: find a model by itself", () => {
    const config = loadConfig({}, { readDotenv: false });
    expect(config).toMatchObject({
      MODEL_PROVIDER: "auto",
      MODELS_DIR: "./models",
      OLLAMA_HOST: "http://127.0.0.1:11434",
      MODEL: "llama3.2",
      CONTEXT_TOKENS: 8192,
      STORE_URL: "sqlite://./data/troupe.sqlite",
      PERSONAS_DIR: "./personas",
      DEFAULT_PERSONA: "tutor",
    });
    expect(config.LOG_LEVEL).toBeUndefined();
  });

  it("accepts OLLAMA_HOST the way Ollama itself does: host, host:port or URL", () => {
    expect(loadConfig({ OLLAMA_HOST: "gpu-box" }, { readDotenv: false }).OLLAMA_HOST).toBe(
      "http://gpu-box:11434",
    );
    expect(loadConfig({ OLLAMA_HOST: "gpu-box:9999" }, { readDotenv: false }).OLLAMA_HOST).toBe(
      "http://gpu-box:9999",
    );
    expect(loadConfig({ OLLAMA_HOST: "https://ollama.example.org" }, { readDotenv: false }).OLLAMA_HOST).toBe(
      "https://ollama.example.org",
    );
  });

  it("names the variable, what is wrong and a good example", () => {
    const [problem] = problemsOf({ CONTEXT_TOKENS: "lots" });
    expect(problem).toContain("CONTEXT_TOKENS");
    expect(problem).toContain('"lots"');
    expect(problem).toContain("is not a number");
    expect(problem).toContain("Example: CONTEXT_TOKENS=8192");
  });

  // Every number setting, its limits pinned: a value just inside is taken, just outside is refused
  // with a reason, and so are fractions and words.
  const wholeNumbers: [name: string, min: number, max: number][] = [
    ["CONTEXT_TOKENS", 512, 10_000_000],
    ["REPLY_TOKENS", 16, 1_000_000],
    ["EMBEDDED_THREADS", 1, 1024],
    ["HISTORY_MAX_TURNS", 2, 100_000],
    ["PERSONA_MAX_KB", 1, 102_400],
    ["DISCORD_SHARDS", 1, 100_000],
    ["PORT", 1, 65_535],
    ["SLACK_UPDATE_INTERVAL_MS", 100, 60_000],
  ];
  it.each(wholeNumbers)("takes %s from %i to %i, as a whole number only", (name, min, max) => {
    expect(problemsOf({ [name]: String(min) })).toEqual([]);
    expect(problemsOf({ [name]: String(max) })).toEqual([]);
    const refused: [value: string, reason: string][] = [
      [String(min - 1), `must be at least ${min}`],
      [String(max + 1), `must be at most ${max}`],
      [`${min}.5`, "whole number"],
      ["plenty", ""],
    ];
    for (const [value, reason] of refused) {
      const problems = problemsOf({ [name]: value });
      expect(problems, `${name}=${value}`).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${name}="${value.replace(".", "\\.")}"`));
      expect(problems[0]).toContain(reason);
    }
  });

  it.each(["MODEL_IDLE_TIMEOUT_SECONDS", "HISTORY_TTL_DAYS"])("takes %s above 0, fractions too", (name) => {
    expect(problemsOf({ [name]: "0.5" })).toEqual([]);
    for (const value of ["0", "-3", "soon"]) {
      const problems = problemsOf({ [name]: value });
      expect(problems, `${name}=${value}`).toHaveLength(1);
      expect(problems[0]?.startsWith(`${name}=`)).toBe(true);
    }
  });

  it("reads LOG_FORMAT, and LOG_FILE where set-but-empty means standard error, like '-'", () => {
    const read = (env: Record<string, string>) => loadConfig(env, { readDotenv: false });
    expect(read({})).toMatchObject({ LOG_FORMAT: undefined, LOG_FILE: undefined });
    expect(read({ LOG_FORMAT: "pretty" }).LOG_FORMAT).toBe("pretty");
    expect(read({ LOG_FORMAT: "json" }).LOG_FORMAT).toBe("json");
    expect(read({ LOG_FILE: "/var/log/troupe.log" }).LOG_FILE).toBe("/var/log/troupe.log");
    expect(read({ LOG_FILE: "-" }).LOG_FILE).toBe("-");
    expect(read({ LOG_FILE: "" }).LOG_FILE).toBe("-");
    expect(read({ LOG_FILE: "  " }).LOG_FILE).toBe("-");
    const [problem] = problemsOf({ LOG_FORMAT: "yaml" });
    expect(problem).toContain('LOG_FORMAT="yaml"');
    expect(problem).toContain("Example: LOG_FORMAT=pretty");
  });

  it("reads PUBLIC_URL as an http(s) URL without a trailing slash, and refuses anything else", () => {
    const read = (env: Record<string, string>) => loadConfig(env, { readDotenv: false });
    expect(read({ PUBLIC_URL: "https://troupe.example.com/" }).PUBLIC_URL).toBe("https://troupe.example.com");
    expect(read({}).PUBLIC_URL).toBeUndefined();
    expect(() => read({ PUBLIC_URL: "ftp://troupe.example.com" })).toThrow(
      /PUBLIC_URL.*not an http\(s\) URL/,
    );
  });

  it("lists every bad variable at once", () => {
    const problems = problemsOf({
      MODEL_PROVIDER: "llamafile",
      CONTEXT_TOKENS: "12.5",
      STORE_URL: "postgres://db",
      LOG_LEVEL: "loud",
      DEFAULT_PERSONA: "Tutor Bot",
    });
    expect(problems.map((problem) => problem.split("=")[0])).toEqual([
      "MODEL_PROVIDER",
      "CONTEXT_TOKENS",
      "STORE_URL",
      "DEFAULT_PERSONA",
      "LOG_LEVEL",
    ]);
  });

  it("requires a base URL and a model for an OpenAI-compatible server", () => {
    expect(problemsOf({ OPENAI_BASE_URL: "http://127.0.0.1:8000/v1" })[0]).toContain(
      "MODEL is required when OPENAI_BASE_URL is set",
    );
    expect(problemsOf({ EMBEDDED_THREADS: "0" })[0]).toContain("EMBEDDED_THREADS");
    const problems = problemsOf({ MODEL_PROVIDER: "openai" });
    expect(problems.join("\n")).toContain("OPENAI_BASE_URL is required");
    expect(problems.join("\n")).toContain("MODEL is required");
    const config = loadConfig(
      { MODEL_PROVIDER: "openai", OPENAI_BASE_URL: "http://127.0.0.1:8000/v1", MODEL: "qwen2.5" },
      { readDotenv: false },
    );
    expect(config.MODEL).toBe("qwen2.5");
  });

  it("treats an empty value as unset", () => {
    expect(loadConfig({ MODEL: "  ", CONTEXT_TOKENS: "" }, { readDotenv: false })).toMatchObject({
      MODEL: "llama3.2",
      CONTEXT_TOKENS: 8192,
    });
  });

  it("reads a .env file, and a variable already set wins over it", () => {
    const dir = mkdtempSync(join(tmpdir(), "troupe-config-"));
    try {
      const dotenvPath = join(dir, ".env");
      writeFileSync(
        dotenvPath,
        "MODEL=qwen2.5:7b\nCONTEXT_TOKENS=16384\n# a comment\nDEFAULT_PERSONA=coder\n",
      );
      const config = loadConfig({ DEFAULT_PERSONA: "storyteller" }, { dotenvPath });
      expect(config).toMatchObject({
        MODEL: "qwen2.5:7b",
        CONTEXT_TOKENS: 16384,
        DEFAULT_PERSONA: "storyteller",
      });
      // A missing .env is not an error.
      expect(loadConfig({}, { dotenvPath: join(dir, "absent.env") }).MODEL).toBe("llama3.2");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads the platform settings: flags, shards, admin lists", () => {
    const config = loadConfig(
      {
        DISCORD_TOKEN: "abc.def.ghi",
        DISCORD_AUTO_THREAD: "YES",
        DISCORD_SHARDS: "auto",
        SLACK_BOT_TOKEN: "xoxb-1",
        SLACK_APP_TOKEN: "xapp-1",
        SLACK_ADMIN_USERS: "U1, U2 ,U3",
      },
      { readDotenv: false },
    );
    expect(config).toMatchObject({
      DISCORD_AUTO_THREAD: true,
      DISCORD_PERSONA_WEBHOOKS: false,
      DISCORD_SHARDS: "auto",
      SLACK_ADMIN_USERS: ["U1", "U2", "U3"],
      PORT: 3000,
    });
    expect(loadConfig({ DISCORD_SHARDS: "4" }, { readDotenv: false }).DISCORD_SHARDS).toBe(4);
  });

  it("reads DISCORD_SHARD_IDS as the shards of DISCORD_SHARDS this process runs; unset runs them all", () => {
    const share = loadConfig({ DISCORD_SHARDS: "4", DISCORD_SHARD_IDS: "0, 2,3" }, { readDotenv: false });
    expect(share.DISCORD_SHARD_IDS).toEqual([0, 2, 3]);
    expect(loadConfig({ DISCORD_SHARDS: "1", DISCORD_SHARD_IDS: "0" }, { readDotenv: false })).toMatchObject({
      DISCORD_SHARDS: 1,
      DISCORD_SHARD_IDS: [0],
    });
    expect(loadConfig({ DISCORD_SHARDS: "4" }, { readDotenv: false }).DISCORD_SHARD_IDS).toBeUndefined();
  });

  it.each([
    ["1,1", "4", 'DISCORD_SHARD_IDS="1,1" names shard 1 twice. Example: DISCORD_SHARD_IDS=0,1'],
    [
      "-1",
      "4",
      'DISCORD_SHARD_IDS="-1" must be shard numbers separated by commas ("-1" is not a whole number 0 or more)',
    ],
    ["0,1.5", "4", '("1.5" is not a whole number 0 or more)'],
    ["one", "4", '("one" is not a whole number 0 or more)'],
    [",", "4", 'DISCORD_SHARD_IDS="," must be shard numbers'],
    [
      "0,4",
      "4",
      'DISCORD_SHARD_IDS="0,4" names shard 4, but DISCORD_SHARDS=4 numbers the shards 0 to 3. Example: DISCORD_SHARD_IDS=0,3',
    ],
    ["2", "2", "numbers the shards 0 to 1"],
  ])(
    "refuses DISCORD_SHARD_IDS=%s with DISCORD_SHARDS=%s, saying why and what fits",
    (ids, shards, expected) => {
      const problems = problemsOf({ DISCORD_SHARDS: shards, DISCORD_SHARD_IDS: ids });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(expected);
    },
  );

  it("refuses DISCORD_SHARD_IDS without a number of shards: every process must agree on the total", () => {
    for (const shards of [undefined, "auto"]) {
      const env: Record<string, string> = { DISCORD_SHARD_IDS: "0" };
      if (shards !== undefined) env.DISCORD_SHARDS = shards;
      const problems = problemsOf(env);
      expect(problems, `DISCORD_SHARDS=${shards}`).toHaveLength(1);
      expect(problems[0]).toContain(
        'DISCORD_SHARD_IDS="0" needs DISCORD_SHARDS set to the bot\'s total number of shards',
      );
      expect(problems[0]).toContain(shards === undefined ? "(it is unset)" : '(it is "auto")');
      expect(problems[0]).toContain("Example: DISCORD_SHARDS=2 with DISCORD_SHARD_IDS=0");
    }
  });

  it("rejects platform settings that cannot work, saying how to fix them", () => {
    expect(problemsOf({ DISCORD_AUTO_THREAD: "maybe" })[0]).toContain(
      'DISCORD_AUTO_THREAD="maybe" must be true or false',
    );
    expect(problemsOf({ DISCORD_TOKEN: "Bot abc" })[0]).toContain("without the 'Bot ' prefix");
    expect(problemsOf({ SLACK_BOT_TOKEN: "xoxp-user" })[0]).toContain("starting with xoxb-");
    expect(problemsOf({ SLACK_BOT_TOKEN: "xoxb-1" })[0]).toContain("neither SLACK_APP_TOKEN");
    expect(problemsOf({ SLACK_APP_TOKEN: "xapp-1" })[0]).toContain("SLACK_BOT_TOKEN is not");
  });
});
