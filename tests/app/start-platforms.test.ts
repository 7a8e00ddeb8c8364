/**
 * Starting the platforms: in order, each handed to the shutdown once started. A platform out of
 * reach is tried again with growing waits (injected here, so nothing waits) and then given up on
 * without blaming the token; a refused token fails at once, naming the variable and the fix; when
 * one fails, the ones already running are stopped.
 */
import { describe, expect, it } from "vitest";
import { FatalError } from "../../src/app/fatal.js";
import {
  fatalLine,
  PLATFORM_FATAL_EXIT_CODE,
  type PlatformConnector,
} from "../../src/app/platform-connectors.js";
import { startPlatforms } from "../../src/app/start-platforms.js";
import { type Connector, PlatformFatalError } from "../../src/connectors/connector.js";
import { PlatformRefusedError, PlatformUnreachableError } from "../../src/connectors/shared/start-errors.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";

/** `failures`: what each start() throws in turn; past the list, start() works. */
function platform(name: string, events: string[], failures: Error[] = []): PlatformConnector {
  let calls = 0;
  return {
    connector: {
      name,
      async start() {
        events.push(`start ${name}`);
        const failure = failures[calls++];
        if (failure !== undefined) throw failure;
      },
      async stop() {
        events.push(`stop ${name}`);
      },
    },
    variable: `${name.toUpperCase()}_TOKEN`,
    fix: `copy the ${name} token again`,
  };
}

function unreachable(): PlatformUnreachableError {
  return new PlatformUnreachableError(
    "Slack",
    "http://127.0.0.1:9/api/",
    "connect ECONNREFUSED 127.0.0.1:9",
    "SLACK_API_URL",
  );
}

/** A wait that records how long it was asked to wait and returns at once. */
function recordedSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe("startPlatforms", () => {
  it("starts each platform in order and hands each to the shutdown once it runs", async () => {
    const events: string[] = [];
    const tracked: Connector[] = [];
    const platforms = [platform("discord", events), platform("slack", events)];
    const started = await startPlatforms(platforms, {
      logger: createRecordingLogger(),
      track: (connector) => {
        events.push(`track ${connector.name}`);
        tracked.push(connector);
      },
    });
    expect(events).toEqual(["start discord", "track discord", "start slack", "track slack"]);
    expect(started.map((connector) => connector.name)).toEqual(["discord", "slack"]);
    expect(tracked).toEqual(started);
  });

  it("when a token is refused, fails at once naming the variable and the fix, and stops the ones started", async () => {
    const events: string[] = [];
    const logger = createRecordingLogger();
    const refused = new PlatformRefusedError("SLACK_TOKEN", "Slack rejected SLACK_TOKEN (invalid_auth)");
    const { waits, sleep } = recordedSleep();
    const platforms = [
      platform("discord", events),
      platform("slack", events, [refused]),
      platform("matrix", events),
    ];
    const failure = await startPlatforms(platforms, { logger, track: () => {}, retry: { sleep } }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(FatalError);
    expect((failure as FatalError).message).toBe(
      "Slack rejected SLACK_TOKEN (invalid_auth).\nFix: copy the slack token again.",
    );
    expect((failure as FatalError).cause).toBe(refused);
    // Not retried; the third never starts; the first is stopped.
    expect(waits).toEqual([]);
    expect(events).toEqual(["start discord", "start slack", "stop discord"]);
    expect(logger.lines).toEqual([
      { level: "error", message: "platform did not start", fields: { err: refused, connector: "slack" } },
    ]);
  });

  it("a refusal of another variable than the platform's token carries its own fix", async () => {
    const events: string[] = [];
    const refused = new PlatformRefusedError(
      "SLACK_APP_TOKEN",
      "Slack rejected SLACK_APP_TOKEN (invalid_auth). Create an app-level token.",
    );
    await expect(
      startPlatforms([platform("slack", events, [refused])], {
        logger: createRecordingLogger(),
        track: () => {},
      }),
    ).rejects.toThrow(/^Slack rejected SLACK_APP_TOKEN \(invalid_auth\)\. Create an app-level token\.$/);
  });

  it("tries a platform out of reach again after 1, 2, 4… s up to the budget, then gives up without blaming the token", async () => {
    const events: string[] = [];
    const logger = createRecordingLogger();
    const { waits, sleep } = recordedSleep();
    const always = Array.from({ length: 20 }, unreachable);
    const failure = await startPlatforms([platform("slack", events, always)], {
      logger,
      track: () => {},
      retry: { sleep },
    }).catch((error: unknown) => error);
    // 60 s in all by default: the last wait is what is left of it.
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 29_000]);
    expect(events).toEqual(Array.from({ length: 7 }, () => "start slack"));
    expect(failure).toBeInstanceOf(FatalError);
    const message = (failure as Error).message;
    expect(message).toBe(
      "could not reach Slack at http://127.0.0.1:9/api/ (connect ECONNREFUSED 127.0.0.1:9); tried 7 times over 60 s.\n" +
        "Fix: check the network connection (and SLACK_API_URL, if you set it), then start troupe again.",
    );
    expect(message).not.toContain("TOKEN");
    const retries = logger.lines.filter((line) => line.level === "warn");
    expect(retries.map((line) => line.fields.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(retries[0]).toEqual({
      level: "warn",
      message: "could not reach Slack: trying again",
      fields: {
        connector: "slack",
        attempt: 1,
        delayMs: 1_000,
        url: "http://127.0.0.1:9/api/",
        reason: "connect ECONNREFUSED 127.0.0.1:9",
      },
    });
  });

  it("starts once the platform answers again, after the retries it took", async () => {
    const events: string[] = [];
    const tracked: string[] = [];
    const logger = createRecordingLogger();
    const { waits, sleep } = recordedSleep();
    const started = await startPlatforms([platform("slack", events, [unreachable(), unreachable()])], {
      logger,
      track: (connector) => void tracked.push(connector.name),
      retry: { sleep },
    });
    expect(started.map((connector) => connector.name)).toEqual(["slack"]);
    expect(tracked).toEqual(["slack"]);
    expect(waits).toEqual([1_000, 2_000]);
    expect(logger.lines.map((line) => line.level)).toEqual(["warn", "warn"]);
  });

  it("with a budget of 0 tries once", async () => {
    const events: string[] = [];
    const { waits, sleep } = recordedSleep();
    await expect(
      startPlatforms([platform("slack", events, [unreachable()])], {
        logger: createRecordingLogger(),
        track: () => {},
        retry: { totalMs: 0, sleep },
      }),
    ).rejects.toThrow(/^could not reach Slack at .*; tried once\.\nFix: check the network connection/);
    expect(waits).toEqual([]);
  });

  it("any other failure is not retried and names no token", async () => {
    const events: string[] = [];
    const { waits, sleep } = recordedSleep();
    await expect(
      startPlatforms([platform("discord", events, [new Error("Used invalid intents")])], {
        logger: createRecordingLogger(),
        track: () => {},
        retry: { sleep },
      }),
    ).rejects.toThrow(/^discord did not start: Used invalid intents$/);
    expect(waits).toEqual([]);
    expect(events).toEqual(["start discord"]);
  });

  it("gives the connector's own reason and fix on one line when it knows why the platform refused it", async () => {
    const events: string[] = [];
    const refusal = new PlatformFatalError(
      "Discord refused the token (gateway close 4004)",
      "copy the bot token from the developer portal.",
    );
    const failure = await startPlatforms([platform("discord", events, [refusal])], {
      logger: createRecordingLogger(),
      track: () => {},
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FatalError);
    expect((failure as FatalError).message).toBe(
      "DISCORD_TOKEN: Discord refused the token (gateway close 4004). Fix: copy the bot token from the developer portal.",
    );
    expect((failure as FatalError).cause).toBe(refusal);
    expect(events).toEqual(["start discord"]);
  });
});

describe("a platform refusing troupe while it runs", () => {
  it("asks for a stop with exit code 1 and one line naming the variable, the reason and the fix", () => {
    const line = fatalLine(
      "SLACK_APP_TOKEN",
      new PlatformFatalError(
        "Slack refused the app-level token on reconnecting (invalid_auth)",
        "create a new one",
      ),
    );
    expect(line).toBe(
      "SLACK_APP_TOKEN: Slack refused the app-level token on reconnecting (invalid_auth). Fix: create a new one.",
    );
    expect(line).not.toContain("\n");
    expect(PLATFORM_FATAL_EXIT_CODE).toBe(1);
  });
});
