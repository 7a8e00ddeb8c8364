/**
 * A configuration error prints the bad value so the person can see what is wrong with it; for a URL
 * that may hold a password or a `?key=` token it prints it masked, and a token or secret not at all.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, { readDotenv: false });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("config errors never print a secret", () => {
  it.each([
    ["OLLAMA_HOST", "http://ada:hunter2@bad host", '"http://ada:***@bad host" is not a host or URL'],
    [
      "OPENAI_BASE_URL",
      "ftp://ada:hunter2@models.example/v1",
      '"ftp://ada:***@models.example/v1" is not an http(s) URL',
    ],
    [
      "OPENAI_BASE_URL",
      "ftp://models.example/v1?key=hunter2",
      '"ftp://models.example/v1?key=***" is not an http(s) URL',
    ],
    [
      "STORE_URL",
      "postgres://ada:hunter2@db.example/troupe",
      '"postgres://ada:***@db.example/troupe" must start with',
    ],
    [
      "DISCORD_API_URL",
      "ws://ada:hunter2@proxy.example/api",
      '"ws://ada:***@proxy.example/api" is not an http(s) URL',
    ],
    [
      "SLACK_API_URL",
      "ftp://ada:hunter2@slack.example/api/",
      '"ftp://ada:***@slack.example/api/" is not an http(s) URL',
    ],
    [
      "EMBEDDED_MODEL",
      "s3://ada:hunter2@bucket/m.gguf",
      "EMBEDDED_MODEL=s3://ada:***@bucket/m.gguf: only file paths",
    ],
  ])("%s=%s is named, masked", (name, value, shown) => {
    const error = configError({ [name]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(`${name}=`);
    expect(error.problems[0]).toContain(shown);
    expect(error.message).not.toContain("hunter2");
  });

  it.each([
    ["DISCORD_TOKEN", "Bot MTA4hunter2.token", "must be the bare token"],
    ["SLACK_BOT_TOKEN", "xapp-1-hunter2", "must be a bot token"],
    ["SLACK_SIGNING_SECRET", "hunter2", "is too short"],
  ])("%s: says what is wrong without printing the value", (name, value, reason) => {
    const error = configError({ [name]: value });
    expect(error.problems[0]).toContain(`${name}=(${value.length} characters, not shown) ${reason}`);
    expect(error.message).not.toContain("hunter2");
  });

  it("keeps the credentials of a good OLLAMA_HOST for the provider (which sends them as basic auth)", () => {
    const config = loadConfig({ OLLAMA_HOST: "http://ada:hunter2@gpu-box:11434" }, { readDotenv: false });
    expect(config.OLLAMA_HOST).toBe("http://ada:hunter2@gpu-box:11434");
  });
});
