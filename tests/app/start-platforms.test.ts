/**
 * Starting the platforms: in order, each handed to the shutdown once started; when one fails, the
 * ones already running are stopped and start-up fails naming the variable and the fix.
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
import { createRecordingLogger } from "../helpers/recording-logger.js";

function platform(name: string, events: string[], startError?: Error): PlatformConnector {
  return {
    connector: {
      name,
      async start() {
        events.push(`start ${name}`);
        if (startError !== undefined) throw startError;
      },
      async stop() {
        events.push(`stop ${name}`);
      },
    },
    variable: `${name.toUpperCase()}_TOKEN`,
    fix: `copy the ${name} token again`,
  };
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

  it("when one fails, stops the ones started and fails naming the variable and the fix", async () => {
    const events: string[] = [];
    const logger = createRecordingLogger();
    const refused = new Error("An invalid token was provided.");
    const platforms = [
      platform("discord", events),
      platform("slack", events, refused),
      platform("matrix", events),
    ];
    const failure = await startPlatforms(platforms, { logger, track: () => {} }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(FatalError);
    expect((failure as FatalError).message).toBe(
      "SLACK_TOKEN: slack did not start: An invalid token was provided.\nFix: copy the slack token again.",
    );
    expect((failure as FatalError).cause).toBe(refused);
    // The third never starts; the first is stopped.
    expect(events).toEqual(["start discord", "start slack", "stop discord"]);
    expect(logger.lines).toEqual([
      {
        level: "error",
        message: "platform did not start",
        fields: { err: refused, connector: "slack", variable: "SLACK_TOKEN" },
      },
    ]);
  });

  it("fails the same way when the first platform fails, with nothing to stop", async () => {
    const events: string[] = [];
    const platforms = [platform("discord", events, new Error("401: Unauthorized"))];
    await expect(
      startPlatforms(platforms, { logger: createRecordingLogger(), track: () => {} }),
    ).rejects.toThrow(
      "DISCORD_TOKEN: discord did not start: 401: Unauthorized\nFix: copy the discord token again.",
    );
    expect(events).toEqual(["start discord"]);
  });

  it("gives the connector's own reason and fix on one line when it knows why the platform refused it", async () => {
    const events: string[] = [];
    const refusal = new PlatformFatalError(
      "Discord refused the token (gateway close 4004)",
      "copy the bot token from the developer portal.",
    );
    const failure = await startPlatforms([platform("discord", events, refusal)], {
      logger: createRecordingLogger(),
      track: () => {},
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FatalError);
    expect((failure as FatalError).message).toBe(
      "DISCORD_TOKEN: Discord refused the token (gateway close 4004). Fix: copy the bot token from the developer portal.",
    );
    expect((failure as FatalError).cause).toBe(refusal);
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
