/**
 * Closes Discord never takes back, end to end on the fake gateway: a token reset while running
 * (4004), the Message Content intent switched off (4014), a sharding demand (4011). Each reaches
 * `onFatal` once with the reason and the fix, so the app can stop with a non-zero exit code; a
 * close discord.js resumes (4000) reaches nobody.
 */
import { describe, expect, it } from "vitest";
import { PlatformFatalError } from "../../../src/connectors/connector.js";
import { fatalClose } from "../../../src/connectors/discord/discord-fatal-closes.js";
import { eventually, harnessPerTest, mention } from "./harness.js";

const start = harnessPerTest();

function collector() {
  const reported: PlatformFatalError[] = [];
  return { reported, onFatal: (error: PlatformFatalError) => reported.push(error) };
}

describe("discord: closes Discord never takes back", () => {
  it("reports a token reset while running (4004) once, with the fix, and logs it", async () => {
    const fatal = collector();
    const harness = await start({ connector: { onFatal: fatal.onFatal } });
    harness.discord.resetToken();
    expect(await eventually(() => fatal.reported.length > 0)).toBe(true);
    expect(fatal.reported[0]).toBeInstanceOf(PlatformFatalError);
    expect(fatal.reported[0]?.message).toBe("Discord refused the token (gateway close 4004)");
    expect(fatal.reported[0]?.fix).toMatch(
      /^copy the bot token from the Discord developer portal .*Reset Token/,
    );
    expect(
      harness.logger.lines.find((line) => line.message === "Discord refused troupe for good"),
    ).toMatchObject({ level: "error", fields: { code: 4004, shardId: 0 } });
    // discord.js does not reconnect; nothing more is reported.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(fatal.reported).toHaveLength(1);
    expect(harness.discord.gateway.connectedShards()).toEqual([]);
  });

  it("reports a token refused by REST (401) while the gateway still delivers messages", async () => {
    const fatal = collector();
    const harness = await start({ connector: { onFatal: fatal.onFatal } });
    const { discord } = harness;
    discord.resetToken({ closeSessions: false });
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} hi`,
    });
    expect(await eventually(() => fatal.reported.length > 0)).toBe(true);
    expect(fatal.reported[0]?.message).toMatch(
      /^Discord refused the token \(HTTP 401 on POST \/channels\/:id\/(messages|typing)\)$/,
    );
    expect(fatal.reported[0]?.fix).toContain("Reset Token");
    expect(fatal.reported).toHaveLength(1);
  });

  it("reports the Message Content intent switched off while running (4014) with where to enable it", async () => {
    const fatal = collector();
    const harness = await start({ connector: { onFatal: fatal.onFatal } });
    harness.discord.disallowMessageContent();
    expect(await eventually(() => fatal.reported.length > 0)).toBe(true);
    expect(fatal.reported[0]?.message).toBe(
      "Discord refused the Message Content intent (gateway close 4014)",
    );
    expect(fatal.reported[0]?.fix).toContain("Privileged Gateway Intents → Message Content Intent");
    expect(fatal.reported[0]?.fix).toContain("or restart troupe");
  });

  it("reports a demand for sharding (4011) with the setting that answers it", async () => {
    const fatal = collector();
    const harness = await start({ connector: { onFatal: fatal.onFatal } });
    harness.discord.gateway.closeAll(4011);
    expect(await eventually(() => fatal.reported.length > 0)).toBe(true);
    expect(fatal.reported[0]?.message).toBe(
      "Discord requires this bot to connect with several shards (gateway close 4011)",
    );
    expect(fatal.reported[0]?.fix).toBe("set DISCORD_SHARDS=auto");
  });

  it("reports nothing for a close discord.js resumes (4000), and keeps answering", async () => {
    const fatal = collector();
    const harness = await start({ connector: { onFatal: fatal.onFatal } });
    const { discord } = harness;
    discord.gateway.closeAll(4000);
    expect(await eventually(() => discord.gateway.resumes === 1)).toBe(true);
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} hi`,
    });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    expect(fatal.reported).toEqual([]);
  });

  it("reports nothing once stopping: its own close is not a refusal", async () => {
    const fatal = collector();
    const harness = await start({ connector: { onFatal: fatal.onFatal } });
    await harness.connector.stop();
    harness.discord.resetToken();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fatal.reported).toEqual([]);
  });
});

describe("discord: which closes are for good", () => {
  it("names a reason and a fix for each close Discord never takes back, and none for the others", () => {
    for (const code of [4004, 4010, 4011, 4012, 4013, 4014]) {
      const error = fatalClose(code);
      expect(error?.message).toContain(`(gateway close ${code})`);
      expect(error?.fix.length).toBeGreaterThan(10);
    }
    for (const code of [1000, 1001, 4000, 4001, 4002, 4003, 4005, 4007, 4008, 4009]) {
      expect(fatalClose(code)).toBeUndefined();
    }
  });
});
