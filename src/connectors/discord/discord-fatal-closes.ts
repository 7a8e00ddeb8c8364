/**
 * The gateway close codes after which Discord will never take the connection back (discord.js
 * stops reconnecting, and emits `shardDisconnect` with the code): each with the reason in plain
 * words and what a person does about it. Every other close is resumed by discord.js itself. A 401
 * on a REST request made with the token means the same as 4004: discord.js then drops the token
 * and every later write fails, while the gateway may still deliver messages nobody can answer.
 */
import { GatewayCloseCodes } from "discord.js";
import { PlatformFatalError } from "../connector.js";

const PORTAL = "the Discord developer portal at https://discord.com/developers/applications";

const TOKEN = {
  reason: "Discord refused the token",
  fix: `copy the bot token from ${PORTAL} (your application → Bot → Reset Token)`,
};

const FATAL_CLOSES: ReadonlyMap<number, { reason: string; fix: string }> = new Map([
  [GatewayCloseCodes.AuthenticationFailed, TOKEN],
  [
    GatewayCloseCodes.DisallowedIntents,
    {
      reason: "Discord refused the Message Content intent",
      fix:
        `enable it in ${PORTAL} (your application → Bot → Privileged Gateway Intents → Message Content Intent), ` +
        "or restart troupe: it then runs without it (mentions, DMs and slash commands only)",
    },
  ],
  [
    GatewayCloseCodes.InvalidShard,
    {
      reason: "Discord refused the shard troupe asked for",
      fix: "set DISCORD_SHARDS=auto, or a shard count Discord accepts for this bot (with DISCORD_SHARD_IDS, the same count on every machine)",
    },
  ],
  [
    GatewayCloseCodes.ShardingRequired,
    {
      reason: "Discord requires this bot to connect with several shards",
      fix: "set DISCORD_SHARDS=auto",
    },
  ],
  [
    GatewayCloseCodes.InvalidAPIVersion,
    {
      reason: "Discord refused the gateway API version",
      fix: "update troupe (npm ci with the latest release): its discord.js speaks an API version Discord no longer accepts",
    },
  ],
  [
    GatewayCloseCodes.InvalidIntents,
    {
      reason: "Discord refused the gateway intents troupe asked for",
      fix: "update troupe: this is a bug in how it asks for intents, please report it",
    },
  ],
]);

/** The error for a close Discord will not take back; undefined for one discord.js resumes. */
export function fatalClose(code: number): PlatformFatalError | undefined {
  const known = FATAL_CLOSES.get(code);
  return known === undefined
    ? undefined
    : new PlatformFatalError(`${known.reason} (gateway close ${code})`, known.fix);
}

/** A REST request made with the token was refused (401): the token is no longer valid. */
export function refusedToken(method: string, route: string): PlatformFatalError {
  return new PlatformFatalError(`${TOKEN.reason} (HTTP 401 on ${method.toUpperCase()} ${route})`, TOKEN.fix);
}
