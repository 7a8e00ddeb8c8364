/**
 * Channel message routes as the bot uses them: create (with a reply reference), edit, delete, the
 * typing indicator, a thread started from a message, and joining a thread. Each refuses what Discord
 * would (missing permission 50013, unknown message 10008, archived thread 50083, a second thread on
 * one message 160004) and spends the channel's write budget.
 */
import { ChannelType, PermissionFlagsBits } from "discord.js";
import { z } from "zod";
import { discordError, noContent, type Route, type RouteResult } from "./http.js";
import { channelJson, memberJson, messageJson } from "./json.js";
import { can } from "./permissions.js";
import {
  contentProblem,
  createMessage,
  editMessage,
  type FakeState,
  messageBody,
  pingsFor,
  recordWrite,
  spend,
} from "./state.js";
import { type FakeChannel, isThread } from "./world.js";

const threadBody = z.looseObject({
  name: z.string().min(1).max(100),
  auto_archive_duration: z.number().optional(),
});

/** Whether the bot may post in this channel now, or Discord's refusal. */
export function writeRefusal(state: FakeState, channel: FakeChannel | undefined): RouteResult | undefined {
  if (channel === undefined) return discordError(404, 10003, "Unknown Channel");
  const bot = state.world.botUser.id;
  const flag = isThread(channel.type)
    ? PermissionFlagsBits.SendMessagesInThreads
    : PermissionFlagsBits.SendMessages;
  if (!can(state.world, channel.id, bot, PermissionFlagsBits.ViewChannel))
    return discordError(403, 50001, "Missing Access");
  if (!can(state.world, channel.id, bot, flag)) return discordError(403, 50013, "Missing Permissions");
  if (channel.archived && channel.locked) return discordError(400, 50083, "Thread is archived");
  return undefined;
}

export function messageRoutes(state: FakeState): Route[] {
  const { world } = state;
  const bot = world.botUser.id;
  return [
    {
      method: "POST",
      pattern: /^\/channels\/(\d+)\/messages$/,
      auth: true,
      handle(request, [channelId = ""]) {
        const body = messageBody.parse(request.body);
        const channel = world.channels.get(channelId);
        const refused = writeRefusal(state, channel) ?? contentProblem(body.content);
        if (refused) return refused;
        const replyTo = body.message_reference?.message_id;
        const replied = replyTo === undefined ? undefined : world.messages.get(replyTo);
        if (
          replyTo !== undefined &&
          (replied === undefined || replied.deleted) &&
          body.message_reference?.fail_if_not_exists !== false
        )
          return discordError(400, 50035, "Invalid Form Body: Unknown message");
        const record = {
          kind: "create" as const,
          via: "bot" as const,
          channelId,
          content: body.content,
          allowedMentions: body.allowed_mentions,
          pings: pingsFor(state, body, "bot", replied?.deleted ? undefined : replyTo),
        };
        const spent = spend(state, `channel:${channelId}`, record);
        if ("refused" in spent) return spent.refused;
        if (channel?.archived) channel.archived = false;
        const message = createMessage(state, {
          channelId,
          guildId: channel?.guildId,
          authorId: bot,
          content: body.content ?? "",
          replyTo: replied === undefined || replied.deleted ? undefined : replyTo,
        });
        recordWrite(state, `channel:${channelId}`, { ...record, messageId: message.id });
        return { status: 200, body: messageJson(world, message), headers: spent.headers };
      },
    },
    {
      method: "PATCH",
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/,
      auth: true,
      handle(request, [channelId = "", messageId = ""]) {
        const body = messageBody.parse(request.body);
        const message = world.messages.get(messageId);
        if (message === undefined || message.deleted || message.channelId !== channelId)
          return discordError(404, 10008, "Unknown Message");
        if (message.authorId !== bot)
          return discordError(403, 50005, "Cannot edit a message authored by another user");
        const channel = world.channels.get(channelId);
        if (channel?.archived && channel.locked) return discordError(400, 50083, "Thread is archived");
        const refused = contentProblem(body.content);
        if (refused) return refused;
        const record = {
          kind: "edit" as const,
          via: "bot" as const,
          channelId,
          messageId,
          content: body.content,
          allowedMentions: body.allowed_mentions,
          pings: pingsFor(state, body, "bot"),
        };
        const spent = spend(state, `channel:${channelId}`, record);
        if ("refused" in spent) return spent.refused;
        editMessage(message, body.content ?? "");
        recordWrite(state, `channel:${channelId}`, record);
        return { status: 200, body: messageJson(world, message), headers: spent.headers };
      },
    },
    {
      method: "DELETE",
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/,
      auth: true,
      handle(_request, [channelId = "", messageId = ""]) {
        const message = world.messages.get(messageId);
        if (message === undefined || message.deleted) return discordError(404, 10008, "Unknown Message");
        const record = { kind: "delete" as const, via: "bot" as const, channelId, messageId, pings: [] };
        const spent = spend(state, `channel:${channelId}`, record);
        if ("refused" in spent) return spent.refused;
        message.deleted = true;
        recordWrite(state, `channel:${channelId}`, record);
        return { ...noContent, headers: spent.headers };
      },
    },
    {
      method: "POST",
      pattern: /^\/channels\/(\d+)\/typing$/,
      auth: true,
      handle(_request, [channelId = ""]) {
        return writeRefusal(state, world.channels.get(channelId)) ?? noContent;
      },
    },
    {
      method: "POST",
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/,
      auth: true,
      handle(request, [channelId = "", messageId = ""]) {
        const body = threadBody.parse(request.body);
        const parent = world.channels.get(channelId);
        if (parent === undefined) return discordError(404, 10003, "Unknown Channel");
        if (!can(world, channelId, bot, PermissionFlagsBits.CreatePublicThreads))
          return discordError(403, 50013, "Missing Permissions");
        if (world.channels.has(messageId))
          return discordError(400, 160004, "A thread has already been created for this message");
        const thread: FakeChannel = {
          id: messageId,
          type: ChannelType.PublicThread,
          name: body.name,
          guildId: parent.guildId,
          parentId: channelId,
          ownerId: bot,
          overwrites: [],
          botIsMember: true,
        };
        world.channels.set(thread.id, thread);
        state
          .gateway()
          .dispatch("THREAD_CREATE", { ...channelJson(world, thread), newly_created: true }, thread.guildId);
        return { status: 201, body: channelJson(world, thread) };
      },
    },
    {
      method: "PUT",
      pattern: /^\/channels\/(\d+)\/thread-members\/@me$/,
      auth: true,
      handle(_request, [threadId = ""]) {
        const thread = world.channels.get(threadId);
        if (thread === undefined || !isThread(thread.type))
          return discordError(404, 10003, "Unknown Channel");
        thread.botIsMember = true;
        const guildId = thread.guildId ?? "";
        state.gateway().dispatch(
          "THREAD_MEMBERS_UPDATE",
          {
            id: threadId,
            guild_id: guildId,
            member_count: 2,
            added_members: [
              {
                id: threadId,
                user_id: bot,
                join_timestamp: new Date().toISOString(),
                flags: 0,
                member: memberJson(world, guildId, bot),
                presence: null,
              },
            ],
          },
          guildId,
        );
        return noContent;
      },
    },
  ];
}
