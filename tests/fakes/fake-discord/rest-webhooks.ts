/**
 * Webhook routes: a channel's webhooks (list, create: Manage Webhooks needed), executing one with a
 * username and avatar (into a thread with `thread_id`) and editing its messages. Interaction
 * responses use the same routes with the application id and the interaction token: the deferred
 * reply is `@original`, follow-ups are new messages (ephemeral ones flagged 64).
 */
import { PermissionFlagsBits } from "discord.js";
import { z } from "zod";
import { discordError, noContent, type Route, type RouteResult } from "./http.js";
import { messageJson, userJson } from "./json.js";
import { can } from "./permissions.js";
import { writeRefusal } from "./rest-messages.js";
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
import type { FakeMessage, FakeWebhook } from "./world.js";

const webhookBody = z.looseObject({ name: z.string().min(1).max(80) });

function webhookJson(state: FakeState, webhook: FakeWebhook) {
  return {
    id: webhook.id,
    type: 1,
    token: webhook.token,
    name: webhook.name,
    avatar: null,
    channel_id: webhook.channelId,
    guild_id: webhook.guildId,
    application_id: webhook.applicationId,
    user: userJson(state.world, state.world.botUser.id),
  };
}

export function webhookRoutes(state: FakeState): Route[] {
  const { world } = state;
  const bot = world.botUser.id;

  function manageable(channelId: string): RouteResult | undefined {
    if (!world.channels.has(channelId)) return discordError(404, 10003, "Unknown Channel");
    if (!can(world, channelId, bot, PermissionFlagsBits.ManageWebhooks))
      return discordError(403, 50013, "Missing Permissions");
    return undefined;
  }

  /** A real webhook's target: its channel, or a thread of it. */
  function target(webhook: FakeWebhook, threadId: string | null): { channelId: string } | RouteResult {
    if (threadId === null) return { channelId: webhook.channelId };
    const thread = world.channels.get(threadId);
    if (thread?.parentId !== webhook.channelId) return discordError(400, 10003, "Unknown Channel");
    return { channelId: threadId };
  }

  function interactionFor(appId: string, token: string) {
    const interaction = state.interactions.get(token);
    return appId === world.applicationId && interaction !== undefined ? interaction : undefined;
  }

  function post(
    appOrWebhookId: string,
    token: string,
    body: z.infer<typeof messageBody>,
    threadId: string | null,
  ): RouteResult {
    const refused = contentProblem(body.content);
    if (refused) return refused;
    const interaction = interactionFor(appOrWebhookId, token);
    if (interaction) {
      if (interaction.callbacks.length === 0) return discordError(404, 10015, "Unknown Webhook");
      const record = {
        kind: "create" as const,
        via: "interaction" as const,
        channelId: interaction.channelId,
        content: body.content,
        allowedMentions: body.allowed_mentions,
        pings: pingsFor(state, body, "interaction"),
      };
      const spent = spend(state, `interaction:${token}`, record);
      if ("refused" in spent) return spent.refused;
      const message = createMessage(state, {
        channelId: interaction.channelId,
        guildId: interaction.guildId,
        authorId: bot,
        content: body.content ?? "",
        flags: body.flags ?? 0,
        type: 20,
        interactionToken: token,
      });
      interaction.followupIds.push(message.id);
      recordWrite(state, `interaction:${token}`, { ...record, messageId: message.id });
      return { status: 200, body: messageJson(world, message), headers: spent.headers };
    }
    const webhook = world.webhooks.get(appOrWebhookId);
    if (webhook === undefined) return discordError(404, 10015, "Unknown Webhook");
    if (webhook.token !== token) return discordError(401, 50027, "Invalid Webhook Token");
    const where = target(webhook, threadId);
    if (!("channelId" in where)) return where;
    const channel = world.channels.get(where.channelId);
    if (channel?.archived && channel.locked) return discordError(400, 50083, "Thread is archived");
    const record = {
      kind: "create" as const,
      via: "webhook" as const,
      channelId: where.channelId,
      content: body.content,
      allowedMentions: body.allowed_mentions,
      pings: pingsFor(state, body, "webhook"),
    };
    const spent = spend(state, `webhook:${webhook.id}`, record);
    if ("refused" in spent) return spent.refused;
    const message = createMessage(state, {
      channelId: where.channelId,
      guildId: webhook.guildId,
      authorId: webhook.id,
      content: body.content ?? "",
      webhook: {
        id: webhook.id,
        username: body.username ?? webhook.name,
        ...(body.avatar_url ? { avatarUrl: body.avatar_url } : {}),
      },
    });
    recordWrite(state, `webhook:${webhook.id}`, { ...record, messageId: message.id });
    return { status: 200, body: messageJson(world, message), headers: spent.headers };
  }

  /** The message an edit or delete addresses, with its write bucket; or Discord's refusal. */
  function addressed(
    appOrWebhookId: string,
    token: string,
    messageId: string,
  ): { message: FakeMessage; bucket: string; via: "webhook" | "interaction" } | RouteResult {
    const interaction = interactionFor(appOrWebhookId, token);
    if (interaction) {
      const id = messageId === "@original" ? interaction.originalId : messageId;
      const message = id === undefined ? undefined : world.messages.get(id);
      if (message === undefined || message.deleted || message.interactionToken !== token)
        return discordError(404, 10008, "Unknown Message");
      return { message, bucket: `interaction:${token}`, via: "interaction" };
    }
    const webhook = world.webhooks.get(appOrWebhookId);
    if (webhook === undefined) return discordError(404, 10015, "Unknown Webhook");
    if (webhook.token !== token) return discordError(401, 50027, "Invalid Webhook Token");
    const message = world.messages.get(messageId);
    if (message === undefined || message.deleted || message.webhook?.id !== webhook.id)
      return discordError(404, 10008, "Unknown Message");
    return { message, bucket: `webhook:${webhook.id}`, via: "webhook" };
  }

  return [
    {
      method: "GET",
      pattern: /^\/channels\/(\d+)\/webhooks$/,
      auth: true,
      handle(_request, [channelId = ""]) {
        const refused = manageable(channelId);
        if (refused) return refused;
        const hooks = [...world.webhooks.values()].filter((webhook) => webhook.channelId === channelId);
        return { status: 200, body: hooks.map((webhook) => webhookJson(state, webhook)) };
      },
    },
    {
      method: "POST",
      pattern: /^\/channels\/(\d+)\/webhooks$/,
      auth: true,
      handle(request, [channelId = ""]) {
        const refused = manageable(channelId);
        if (refused) return refused;
        const body = webhookBody.parse(request.body);
        const channel = world.channels.get(channelId);
        const webhook: FakeWebhook = {
          id: world.newId(),
          token: `webhook-token-${world.newId()}`,
          channelId,
          guildId: channel?.guildId ?? "",
          name: body.name,
          applicationId: world.applicationId,
        };
        world.webhooks.set(webhook.id, webhook);
        return { status: 200, body: webhookJson(state, webhook) };
      },
    },
    {
      method: "POST",
      pattern: /^\/webhooks\/(\d+)\/([^/]+)$/,
      auth: false,
      handle(request, [id = "", token = ""]) {
        const result = post(id, token, messageBody.parse(request.body), request.query.get("thread_id"));
        // Without `wait=true` a webhook answers 204; interaction follow-ups always wait.
        const waits = request.query.get("wait") === "true" || id === world.applicationId;
        return result.status === 200 && !waits ? noContent : result;
      },
    },
    {
      method: "PATCH",
      pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/,
      auth: false,
      handle(request, [id = "", token = "", messageId = ""]) {
        const body = messageBody.parse(request.body);
        const found = addressed(id, token, messageId);
        if (!("message" in found)) return found;
        const refused =
          contentProblem(body.content) ??
          (found.via === "webhook" ? writeRefusalForEdit(found.message) : undefined);
        if (refused) return refused;
        const record = {
          kind: "edit" as const,
          via: found.via,
          channelId: found.message.channelId,
          messageId: found.message.id,
          content: body.content,
          allowedMentions: body.allowed_mentions,
          pings: pingsFor(state, body, found.via),
        };
        const spent = spend(state, found.bucket, record);
        if ("refused" in spent) return spent.refused;
        editMessage(found.message, body.content ?? "");
        recordWrite(state, found.bucket, record);
        return { status: 200, body: messageJson(world, found.message), headers: spent.headers };
      },
    },
    {
      method: "DELETE",
      pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/,
      auth: false,
      handle(_request, [id = "", token = "", messageId = ""]) {
        const found = addressed(id, token, messageId);
        if (!("message" in found)) return found;
        const record = {
          kind: "delete" as const,
          via: found.via,
          channelId: found.message.channelId,
          messageId: found.message.id,
          pings: [],
        };
        const spent = spend(state, found.bucket, record);
        if ("refused" in spent) return spent.refused;
        found.message.deleted = true;
        recordWrite(state, found.bucket, record);
        return { ...noContent, headers: spent.headers };
      },
    },
  ];

  function writeRefusalForEdit(message: FakeMessage): RouteResult | undefined {
    const channel = world.channels.get(message.channelId);
    return channel?.archived && channel.locked ? writeRefusal(state, channel) : undefined;
  }
}
