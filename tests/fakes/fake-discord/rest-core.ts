/**
 * The rest of the REST surface the bot touches: `GET /gateway/bot` (pointing at the fake's own
 * gateway), the bot user and application, the bulk overwrite of slash commands (validated as
 * Discord does), channel / server / member fetches, and interaction callbacks with the 3-second rule.
 */
import { z } from "zod";
import { discordError, noContent, type Route } from "./http.js";
import { channelJson, guildCreateJson, memberJson, userJson } from "./json.js";
import { createMessage, type FakeState } from "./state.js";

const option = z.looseObject({
  type: z.number(),
  name: z.string().regex(/^[-_\p{L}\p{N}]{1,32}$/u),
  description: z.string().min(1).max(100),
  required: z.boolean().optional(),
  autocomplete: z.boolean().optional(),
  choices: z
    .array(z.looseObject({ name: z.string().min(1).max(100), value: z.string() }))
    .max(25)
    .optional(),
});
const command = z.looseObject({
  name: z.string().regex(/^[-_\p{L}\p{N}]{1,32}$/u),
  description: z.string().min(1).max(100),
  type: z.number().optional(),
  options: z.array(option).max(25).default([]),
  integration_types: z.array(z.number()).optional(),
  contexts: z.array(z.number()).optional(),
});
const callback = z.looseObject({ type: z.number(), data: z.unknown().optional() });

/** Discord's own checks on a command: required options first, no autocomplete with choices. */
function commandProblem(parsed: z.infer<typeof command>): string | undefined {
  const firstOptional = parsed.options.findIndex((entry) => !entry.required);
  if (firstOptional !== -1 && parsed.options.slice(firstOptional).some((entry) => entry.required))
    return "Required options must be placed before non-required options";
  if (parsed.options.some((entry) => entry.autocomplete && entry.choices !== undefined))
    return "Autocomplete cannot be set with choices";
  return undefined;
}

export function coreRoutes(state: FakeState): Route[] {
  const { world } = state;
  const bot = world.botUser.id;

  function putCommands(body: unknown, into: (commands: unknown[]) => void) {
    const parsed = z.array(command).max(100).safeParse(body);
    const problem = parsed.success
      ? parsed.data.map(commandProblem).find((text) => text !== undefined)
      : parsed.error.message;
    if (!parsed.success || problem !== undefined)
      return discordError(400, 50035, `Invalid Form Body: ${problem}`);
    const registered = parsed.data.map((entry) => ({
      ...entry,
      id: world.newId(),
      application_id: world.applicationId,
      version: world.newId(),
    }));
    into(registered);
    return { status: 200, body: registered };
  }

  return [
    {
      method: "GET",
      pattern: /^\/gateway\/bot$/,
      auth: true,
      handle: () => ({
        status: 200,
        body: {
          url: state.gatewayUrl,
          shards: state.recommendedShards,
          // A high max_concurrency lets every shard identify at once (no 5-second identify spacing).
          session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 16 },
        },
      }),
    },
    {
      method: "GET",
      pattern: /^\/users\/@me$/,
      auth: true,
      handle: () => ({ status: 200, body: userJson(world, bot) }),
    },
    {
      method: "GET",
      pattern: /^\/users\/(\d+)$/,
      auth: true,
      handle: (_request, [id = ""]) =>
        world.users.has(id)
          ? { status: 200, body: userJson(world, id) }
          : discordError(404, 10013, "Unknown User"),
    },
    {
      method: "GET",
      pattern: /^\/applications\/@me$/,
      auth: true,
      handle: () => ({
        status: 200,
        body: {
          id: world.applicationId,
          name: "Troupe",
          bot: userJson(world, bot),
          flags: 0,
          bot_public: true,
        },
      }),
    },
    {
      method: "PUT",
      pattern: /^\/applications\/(\d+)\/commands$/,
      auth: true,
      handle: (request, [appId = ""]) =>
        appId !== world.applicationId
          ? discordError(403, 50001, "Missing Access")
          : putCommands(request.body, (commands) => {
              state.commands.global = commands;
            }),
    },
    {
      method: "PUT",
      pattern: /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/,
      auth: true,
      handle: (request, [appId = "", guildId = ""]) =>
        appId !== world.applicationId || !world.guilds.has(guildId)
          ? discordError(403, 50001, "Missing Access")
          : putCommands(request.body, (commands) => state.commands.guild.set(guildId, commands)),
    },
    {
      method: "GET",
      pattern: /^\/channels\/(\d+)$/,
      auth: true,
      handle(_request, [id = ""]) {
        const channel = world.channels.get(id);
        return channel === undefined
          ? discordError(404, 10003, "Unknown Channel")
          : { status: 200, body: channelJson(world, channel) };
      },
    },
    {
      method: "GET",
      pattern: /^\/guilds\/(\d+)$/,
      auth: true,
      handle(_request, [id = ""]) {
        const guild = world.guilds.get(id);
        return guild === undefined
          ? discordError(404, 10004, "Unknown Guild")
          : { status: 200, body: guildCreateJson(world, guild) };
      },
    },
    {
      method: "GET",
      pattern: /^\/guilds\/(\d+)\/members\/(\d+)$/,
      auth: true,
      handle(_request, [guildId = "", userId = ""]) {
        const member = memberJson(world, guildId, userId);
        return member === undefined
          ? discordError(404, 10007, "Unknown Member")
          : { status: 200, body: member };
      },
    },
    {
      method: "POST",
      pattern: /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
      auth: false,
      handle(request, [id = "", token = ""]) {
        const interaction = state.interactions.get(token);
        // The 3-second rule: an interaction not answered in time is gone.
        if (
          interaction === undefined ||
          interaction.id !== id ||
          interaction.expired ||
          Date.now() - interaction.createdAt > 3_000
        )
          return discordError(404, 10062, "Unknown interaction");
        if (interaction.callbacks.length > 0)
          return discordError(400, 40060, "Interaction has already been acknowledged.");
        const parsed = callback.parse(request.body);
        interaction.callbacks.push({ type: parsed.type, data: parsed.data, at: Date.now() });
        const flags = z
          .looseObject({ flags: z.number().optional(), content: z.string().optional() })
          .safeParse(parsed.data ?? {});
        // 5: deferred ("thinking…", flag 128); 4: a reply with content. Both become the @original message.
        if (parsed.type === 4 || parsed.type === 5) {
          const original = createMessage(state, {
            channelId: interaction.channelId,
            guildId: interaction.guildId,
            authorId: bot,
            content: parsed.type === 4 && flags.success ? (flags.data.content ?? "") : "",
            flags: (flags.success ? (flags.data.flags ?? 0) : 0) | (parsed.type === 5 ? 128 : 0),
            type: 20,
            interactionToken: token,
          });
          interaction.originalId = original.id;
        }
        return noContent;
      },
    },
  ];
}
