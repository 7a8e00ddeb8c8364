/**
 * A loopback fake of Discord that the real discord.js client talks to: REST under
 * `http://127.0.0.1:<port>/api/v10` and a gateway on the same port (its URL comes from
 * `GET /gateway/bot`). Tests speak as people (`say`, `command`, `autocomplete`), drive the gateway
 * (close it, drop it), change what Discord accepts while the bot runs (`resetToken`,
 * `disallowMessageContent`) and read what the bot did (`messagesIn`, `writes`, `requests`, 429s).
 */
import { ChannelType } from "discord.js";
import { createDefaultWorld, type DefaultWorldOptions, type WorldIds } from "./default-world.js";
import { type FakeGateway, startFakeGateway } from "./gateway.js";
import { type DiscordRequest, startDiscordHttp } from "./http.js";
import { interactionJson } from "./interaction-json.js";
import { channelJson, messageJson } from "./json.js";
import { createWriteRateLimiter, type RateLimitOptions, type WriteRateLimiter } from "./rate-limit.js";
import { coreRoutes } from "./rest-core.js";
import { messageRoutes } from "./rest-messages.js";
import { webhookRoutes } from "./rest-webhooks.js";
import { createMessage, type FakeInteraction, type FakeState, type WriteRecord } from "./state.js";
import type { FakeMessage, World } from "./world.js";

export type { FakeInteraction, WriteRecord } from "./state.js";
export type { FakeMessage } from "./world.js";

export interface FakeDiscordOptions {
  token?: string;
  /** HELLO's heartbeat interval. Default 2000 ms, so heartbeats happen within a test. */
  heartbeatIntervalMs?: number;
  /** Whether the app may use the privileged Message Content intent. Default true. */
  allowMessageContent?: boolean;
  /** `shards` in `GET /gateway/bot` (what `shards: "auto"` uses). Default 1. */
  recommendedShards?: number;
  world?: DefaultWorldOptions;
  rateLimit?: RateLimitOptions;
}

export interface OptionValue {
  name: string;
  value: string;
  focused?: boolean;
}

export interface FakeDiscord {
  /** Pass as DISCORD_API_URL. */
  readonly apiUrl: string;
  readonly token: string;
  readonly ids: WorldIds;
  readonly world: World;
  readonly gateway: FakeGateway;
  readonly requests: DiscordRequest[];
  readonly writes: WriteRecord[];
  readonly limiter: WriteRateLimiter;
  readonly commands: FakeState["commands"];
  /** 429s sent so far. */
  tooManyRequests(): number;
  /** The messages in a channel now (deleted ones left out), oldest first. */
  messagesIn(channelId: string): FakeMessage[];
  /** A person writes in a channel, thread or DM: MESSAGE_CREATE goes out on the gateway. */
  say(input: { author: string; channel: string; content: string; replyTo?: string }): FakeMessage;
  /** MESSAGE_CREATE for that message once more, as a second session of one shard sends it in a rolling deploy. */
  redeliver(messageId: string): void;
  /**
   * Someone resets the bot token in the developer portal: REST refuses the old one (401) and the
   * gateway closes its sessions with 4004, for good (`closeSessions: false`: not yet).
   */
  resetToken(options?: { closeSessions?: boolean }): void;
  /** Someone switches the Message Content intent off: sessions that asked for it close with 4014. */
  disallowMessageContent(): void;
  /** The DM channel between the bot and a person. */
  openDm(userId: string): string;
  /** A person starts a thread in a channel; `botIsMember` as if the bot had joined it. */
  createThread(input: { parent: string; name: string; owner: string; botIsMember?: boolean }): string;
  archiveThread(threadId: string, locked: boolean): void;
  /** Someone adds (or takes back) a reaction: MESSAGE_REACTION_ADD / _REMOVE goes out. */
  react(input: { user: string; message: string; emoji: string; removed?: boolean }): void;
  /** Someone deletes a message (MESSAGE_DELETE goes out). */
  deleteMessage(messageId: string): void;
  command(input: {
    user: string;
    channel: string;
    name: string;
    options?: OptionValue[];
    expired?: boolean;
  }): FakeInteraction;
  autocomplete(input: {
    user: string;
    channel: string;
    name: string;
    options: OptionValue[];
  }): FakeInteraction;
  close(): Promise<void>;
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? "fake-bot-token";
  const access = { token, allowMessageContent: options.allowMessageContent ?? true };
  const { world, ids } = createDefaultWorld(options.world);
  let gateway: FakeGateway | undefined;
  const state: FakeState = {
    world,
    gateway: () => {
      if (gateway === undefined) throw new Error("the fake gateway is not running yet");
      return gateway;
    },
    limiter: createWriteRateLimiter(options.rateLimit),
    writes: [],
    interactions: new Map(),
    commands: { global: [], guild: new Map() },
    token,
    gatewayUrl: "",
    recommendedShards: options.recommendedShards ?? 1,
  };
  const http = await startDiscordHttp(
    [...coreRoutes(state), ...messageRoutes(state), ...webhookRoutes(state)],
    () => access.token,
  );
  state.gatewayUrl = `ws://127.0.0.1:${http.port}`;
  gateway = startFakeGateway({
    server: http.server,
    url: state.gatewayUrl,
    access,
    world,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 2_000,
  });
  const running = gateway;

  function interaction(
    type: 2 | 4,
    input: { user: string; channel: string; name: string; options?: OptionValue[]; expired?: boolean },
  ) {
    const channel = world.channels.get(input.channel);
    if (channel === undefined) throw new Error(`no channel ${input.channel}`);
    const created: FakeInteraction = {
      id: world.newId(),
      token: `interaction-token-${world.newId()}`,
      type,
      channelId: channel.id,
      guildId: channel.guildId,
      userId: input.user,
      commandName: input.name,
      createdAt: Date.now(),
      expired: input.expired ?? false,
      callbacks: [],
      followupIds: [],
    };
    state.interactions.set(created.token, created);
    running.dispatch(
      "INTERACTION_CREATE",
      interactionJson(state, created, input.options ?? []),
      channel.guildId,
    );
    return created;
  }

  return {
    apiUrl: `http://127.0.0.1:${http.port}/api`,
    token,
    ids,
    world,
    gateway: running,
    requests: http.requests,
    writes: state.writes,
    limiter: state.limiter,
    commands: state.commands,
    tooManyRequests: () => state.limiter.rejected,
    messagesIn: (channelId) =>
      [...world.messages.values()].filter((message) => message.channelId === channelId && !message.deleted),
    say(input) {
      const channel = world.channels.get(input.channel);
      if (channel === undefined) throw new Error(`no channel ${input.channel}`);
      return createMessage(state, {
        channelId: channel.id,
        guildId: channel.guildId,
        authorId: input.author,
        content: input.content,
        replyTo: input.replyTo,
      });
    },
    redeliver(messageId) {
      const message = world.messages.get(messageId);
      if (message === undefined) throw new Error(`no message ${messageId}`);
      running.dispatch("MESSAGE_CREATE", messageJson(world, message), message.guildId);
    },
    resetToken(options = {}) {
      access.token = `${token}-reset-${world.newId()}`;
      if (options.closeSessions ?? true) running.enforceAccess();
    },
    disallowMessageContent() {
      access.allowMessageContent = false;
      running.enforceAccess();
    },
    openDm(userId) {
      const existing = [...world.channels.values()].find(
        (channel) => channel.type === ChannelType.DM && channel.recipientId === userId,
      );
      return (existing ?? world.addChannel({ type: ChannelType.DM, recipientId: userId })).id;
    },
    createThread(input) {
      const parent = world.channels.get(input.parent);
      const thread = world.addChannel({
        type: ChannelType.PublicThread,
        name: input.name,
        guildId: parent?.guildId,
        parentId: input.parent,
        ownerId: input.owner,
        botIsMember: input.botIsMember ?? false,
      });
      running.dispatch(
        "THREAD_CREATE",
        { ...channelJson(world, thread), newly_created: true },
        thread.guildId,
      );
      return thread.id;
    },
    archiveThread(threadId, locked) {
      const thread = world.channels.get(threadId);
      if (thread === undefined) return;
      thread.archived = true;
      thread.locked = locked;
      running.dispatch("THREAD_UPDATE", channelJson(world, thread), thread.guildId);
    },
    react(input) {
      const message = world.messages.get(input.message);
      if (message === undefined) throw new Error(`no message ${input.message}`);
      running.dispatch(
        input.removed ? "MESSAGE_REACTION_REMOVE" : "MESSAGE_REACTION_ADD",
        {
          user_id: input.user,
          message_id: message.id,
          channel_id: message.channelId,
          ...(message.guildId === undefined ? {} : { guild_id: message.guildId }),
          emoji: { id: null, name: input.emoji },
          ...(input.removed ? {} : { burst: false, type: 0 }),
        },
        message.guildId,
      );
    },
    deleteMessage(messageId) {
      const message = world.messages.get(messageId);
      if (message === undefined) return;
      message.deleted = true;
      running.dispatch(
        "MESSAGE_DELETE",
        { id: message.id, channel_id: message.channelId, guild_id: message.guildId },
        message.guildId,
      );
    },
    command: (input) => interaction(2, input),
    autocomplete: (input) => interaction(4, input),
    async close() {
      await running.close();
      await http.close();
    },
  };
}
