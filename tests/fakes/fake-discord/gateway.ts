/**
 * The fake gateway (WebSocket, JSON, uncompressed, as discord.js connects without zlib-sync):
 * HELLO → IDENTIFY → READY (application id, bot user, its servers as unavailable stubs) → one
 * GUILD_CREATE per server of the shard; heartbeats answered with ACKs; RESUME after a dropped
 * connection replays what was missed, then RESUMED. Events go to the sessions of the shard that owns
 * the server (`(guild_id >> 22) % shards`; DMs on shard 0), filtered by intents as Discord does.
 * Several sessions may hold one shard (two processes of one bot, a rolling deploy): as on Discord,
 * each of them receives the shard's events.
 */
import type { Server } from "node:http";
import { GatewayIntentBits, GatewayOpcodes } from "discord.js";
import { type WebSocket, WebSocketServer } from "ws";
import { z } from "zod";
import { guildCreateJson, userJson } from "./json.js";
import { shardOf } from "./snowflakes.js";
import type { World } from "./world.js";

type Json = Record<string, unknown>;

interface Session {
  id: string;
  token: string;
  shard: [number, number];
  intents: number;
  seq: number;
  socket?: WebSocket;
  /** Sent dispatches, for replay on RESUME. */
  sent: { s: number; t: string; d: Json }[];
}

/** What Discord accepts now; a test changes it while the bot runs (a reset token, an intent switched off). */
export interface GatewayAccess {
  token: string;
  /** Whether the application may use the privileged Message Content intent (else IDENTIFY gets 4014). */
  allowMessageContent: boolean;
}

export interface GatewayOptions {
  server: Server;
  url: string;
  access: GatewayAccess;
  world: World;
  heartbeatIntervalMs: number;
}

export interface FakeGateway {
  dispatch(event: string, data: Json, guildId?: string): void;
  readonly identifies: { shard: [number, number]; intents: number }[];
  readonly resumes: number;
  readonly heartbeats: number;
  /** Shards with a live, identified connection. */
  connectedShards(): number[];
  /**
   * Closes every connection with `code`: 4000 (unknown error) is resumed; 4004 (authentication
   * failed), 4010 to 4014 (shard, sharding, version, intents) are closes Discord never takes back.
   */
  closeAll(code: number): void;
  /** Applies a change of `access` to live sessions as Discord does: 4004 for a token no longer valid, 4014 for an intent no longer allowed. */
  enforceAccess(): void;
  /** Drops every connection without a close frame, as a network failure would. */
  dropAll(): void;
  close(): Promise<void>;
}

const frame = z.looseObject({ op: z.number(), d: z.unknown() });
const identify = z.looseObject({
  token: z.string(),
  intents: z.number(),
  shard: z.tuple([z.number(), z.number()]).optional(),
});
const resume = z.looseObject({ token: z.string(), session_id: z.string(), seq: z.number().nullable() });

export function startFakeGateway(options: GatewayOptions): FakeGateway {
  const { world } = options;
  const wss = new WebSocketServer({ server: options.server });
  const sessions = new Map<string, Session>();
  const identifies: FakeGateway["identifies"] = [];
  let resumes = 0;
  let heartbeats = 0;
  let nextSession = 1;

  function send(socket: WebSocket | undefined, payload: Json): void {
    if (socket !== undefined && socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
  }

  function emit(session: Session, t: string, d: Json): void {
    session.seq += 1;
    session.sent.push({ s: session.seq, t, d });
    if (session.sent.length > 1_000) session.sent.shift();
    send(session.socket, { op: GatewayOpcodes.Dispatch, t, s: session.seq, d });
  }

  function guildsOf(shard: [number, number]) {
    return [...world.guilds.values()].filter((guild) => shardOf(guild.id, shard[1]) === shard[0]);
  }

  function onIdentify(socket: WebSocket, data: z.infer<typeof identify>): void {
    if (data.token !== options.access.token) {
      socket.close(4004, "Authentication failed.");
      return;
    }
    if (data.intents & GatewayIntentBits.MessageContent && !options.access.allowMessageContent) {
      socket.close(4014, "Disallowed intent(s).");
      return;
    }
    const shard = data.shard ?? [0, 1];
    identifies.push({ shard, intents: data.intents });
    const session: Session = {
      id: `session-${nextSession++}`,
      token: data.token,
      shard,
      intents: data.intents,
      seq: 0,
      socket,
      sent: [],
    };
    // A client that identifies afresh (its session was invalid) leaves its old one behind: retire
    // that, so events are not queued for a session nobody will resume.
    for (const old of sessions.values()) if (old.socket === socket) sessions.delete(old.id);
    sessions.set(session.id, session);
    const guilds = guildsOf(shard);
    emit(session, "READY", {
      v: 10,
      user: userJson(world, world.botUser.id),
      guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: options.url,
      shard,
      application: { id: world.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
    });
    if (data.intents & GatewayIntentBits.Guilds) {
      for (const guild of guilds) emit(session, "GUILD_CREATE", guildCreateJson(world, guild));
    }
  }

  function onResume(socket: WebSocket, data: z.infer<typeof resume>): void {
    const session = sessions.get(data.session_id);
    if (session === undefined || data.token !== options.access.token) {
      send(socket, { op: GatewayOpcodes.InvalidSession, d: false });
      return;
    }
    resumes++;
    session.socket = socket;
    for (const missed of session.sent.filter((packet) => packet.s > (data.seq ?? 0))) {
      send(socket, { op: GatewayOpcodes.Dispatch, ...missed });
    }
    emit(session, "RESUMED", {});
  }

  wss.on("connection", (socket) => {
    send(socket, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: options.heartbeatIntervalMs } });
    socket.on("message", (raw) => {
      const parsed = frame.safeParse(JSON.parse(String(raw)));
      if (!parsed.success) return socket.close(4002, "Error while decoding payload.");
      const { op, d } = parsed.data;
      if (op === GatewayOpcodes.Heartbeat) {
        heartbeats++;
        return send(socket, { op: GatewayOpcodes.HeartbeatAck });
      }
      if (op === GatewayOpcodes.Identify) return onIdentify(socket, identify.parse(d));
      if (op === GatewayOpcodes.Resume) return onResume(socket, resume.parse(d));
    });
    socket.on("close", () => {
      for (const session of sessions.values()) if (session.socket === socket) session.socket = undefined;
    });
  });

  return {
    dispatch(event, data, guildId) {
      for (const session of sessions.values()) {
        const shard = guildId === undefined ? 0 : shardOf(guildId, session.shard[1]);
        if (shard !== session.shard[0]) continue;
        const filtered =
          event === "MESSAGE_CREATE"
            ? forIntents(data, session.intents, world.botUser.id)
            : event.startsWith("MESSAGE_REACTION_")
              ? forReactionIntents(data, session.intents)
              : data;
        if (filtered !== undefined) emit(session, event, filtered);
      }
    },
    get identifies() {
      return identifies;
    },
    get resumes() {
      return resumes;
    },
    get heartbeats() {
      return heartbeats;
    },
    connectedShards: () =>
      [...sessions.values()]
        .filter((session) => session.socket !== undefined)
        .map((session) => session.shard[0]),
    closeAll(code) {
      for (const socket of wss.clients) socket.close(code, "fake gateway closed the connection");
    },
    enforceAccess() {
      for (const session of sessions.values()) {
        const socket = session.socket;
        if (socket === undefined) continue;
        if (session.token !== options.access.token) socket.close(4004, "Authentication failed.");
        else if (session.intents & GatewayIntentBits.MessageContent && !options.access.allowMessageContent)
          socket.close(4014, "Disallowed intent(s).");
      }
    },
    dropAll() {
      for (const socket of wss.clients) socket.terminate();
    },
    async close() {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * MESSAGE_CREATE as a session with these intents receives it: none without GuildMessages (servers)
 * or DirectMessages (DMs); and without Message Content, no text except in DMs, in messages that
 * mention the bot, and in the bot's own messages.
 */
/** Reactions come only with GuildMessageReactions (servers) or DirectMessageReactions (DMs). */
function forReactionIntents(data: Json, intents: number): Json | undefined {
  const needed =
    data.guild_id !== undefined
      ? GatewayIntentBits.GuildMessageReactions
      : GatewayIntentBits.DirectMessageReactions;
  return intents & needed ? data : undefined;
}

function forIntents(data: Json, intents: number, botId: string): Json | undefined {
  const inGuild = data.guild_id !== undefined;
  if (!(intents & (inGuild ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages)))
    return undefined;
  if (intents & GatewayIntentBits.MessageContent || !inGuild) return data;
  const mentions = Array.isArray(data.mentions) ? (data.mentions as { id?: unknown }[]) : [];
  const author = data.author as { id?: unknown } | undefined;
  if (author?.id === botId || mentions.some((user) => user.id === botId)) return data;
  return { ...data, content: "", embeds: [], attachments: [], components: [] };
}
