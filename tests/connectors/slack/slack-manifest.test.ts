/** The app manifest people create the Slack app from matches what the connector does. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { commands } from "../../../commands/index.js";
import { DEFAULT_SCOPES } from "../../fakes/fake-slack/fake-slack.js";
import { repoRoot } from "../../helpers/run-troupe.js";

const manifestSchema = z.looseObject({
  display_information: z.looseObject({ name: z.string().max(35) }),
  features: z.looseObject({
    app_home: z.looseObject({
      messages_tab_enabled: z.boolean(),
      messages_tab_read_only_enabled: z.boolean(),
    }),
    bot_user: z.looseObject({ display_name: z.string() }),
    slash_commands: z.array(
      z.looseObject({ command: z.string().regex(/^\/[a-z0-9-]{1,31}$/), description: z.string().max(100) }),
    ),
  }),
  oauth_config: z.looseObject({ scopes: z.looseObject({ bot: z.array(z.string()) }) }),
  settings: z.looseObject({
    event_subscriptions: z.looseObject({ bot_events: z.array(z.string()) }),
    socket_mode_enabled: z.boolean(),
  }),
});

const manifest = manifestSchema.parse(parse(readFileSync(join(repoRoot, "slack", "manifest.yml"), "utf8")));

describe("slack/manifest.yml", () => {
  it("declares one slash command per command, and Socket Mode", () => {
    expect(manifest.features.slash_commands.map((command) => command.command)).toEqual(
      commands.map((command) => `/${command.name}`),
    );
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.features.app_home).toMatchObject({
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: false,
    });
  });

  it("asks for exactly the scopes the tests run with, and the events the connector handles", () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...DEFAULT_SCOPES].sort());
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining(["app_mention", "message.im", "message.channels", "message.groups"]),
    );
  });
});
