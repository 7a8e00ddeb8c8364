/**
 * The discord.js client troupe runs: the fewest intents that serve mentions, DMs, threads and slash
 * commands; caches bounded so memory stays flat in large servers; and every message sent without
 * pings by default.
 */
import {
  Client,
  type ClientOptions,
  GatewayIntentBits,
  Options,
  Partials,
  REST,
  type RESTOptions,
} from "discord.js";

export interface DiscordClientOptions {
  /** The REST base (a REST proxy for large bots); the gateway URL is asked of it (`GET /gateway/bot`). */
  apiUrl?: string;
  /** A number of shards, or "auto" for Discord's recommendation; undefined runs one shard. */
  shards?: number | "auto";
  /** Only these shards of `shards` (a number then) run in this process; undefined: all of them. */
  shardIds?: readonly number[];
  /** Ask for the privileged Message Content intent (see messageIntents). */
  messageContent: boolean;
}

/**
 * Guilds: channels, threads, roles and permission overwrites (for thread parents and permission
 * checks). GuildMessages and DirectMessages: MESSAGE_CREATE in servers and DMs. Interactions need no
 * intent. MessageContent is privileged and optional: without it Discord still sends the text of DMs,
 * of messages that mention the bot and of the bot's own messages, but not of thread follow-ups
 * without a mention or of replies that do not ping the bot. GuildMessageReactions and
 * DirectMessageReactions: 👍/👎 on an answer rate it (feedback); neither is privileged.
 */
function messageIntents(messageContent: boolean): GatewayIntentBits[] {
  const intents = [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.DirectMessages,
    GatewayIntentBits.GuildMessageReactions,
    GatewayIntentBits.DirectMessageReactions,
  ];
  return messageContent ? [...intents, GatewayIntentBits.MessageContent] : intents;
}

/** `rest.api` is the base without the version (`…/api`); accept a trailing `/` or `/v10` too. */
export function restBase(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, "").replace(/\/v\d+$/, "");
}

function isSelf(entry: { id: string; client: Client }): boolean {
  return entry.id === entry.client.user?.id;
}

/**
 * discord.js's shard options: `shards` lists the ids this process connects, `shardCount` is the
 * bot's total, which every process of a bot spread over machines must agree on (it decides which
 * server lands on which shard).
 */
export function shardOptions(
  shards: number | "auto" | undefined,
  shardIds: readonly number[] | undefined,
): Partial<ClientOptions> {
  if (shards === "auto") return { shards: "auto" };
  if (shards === undefined) return {};
  return shardIds === undefined ? { shardCount: shards } : { shards: [...shardIds], shardCount: shards };
}

export function createDiscordClient(options: DiscordClientOptions): Client {
  return new Client({
    intents: messageIntents(options.messageContent),
    // DM channels arrive uncached: without this partial discord.js drops DM events, and an
    // interaction in a DM has no channel.
    partials: [Partials.Channel],
    // Model output must never ping @everyone, @here, a role or a user: no mention is parsed unless
    // a send asks for it (each send also says so itself). Replies do not ping their author either.
    allowedMentions: { parse: [], repliedUser: false },
    // A reply to a message deleted meanwhile is posted as a plain message instead of failing.
    failIfNotExists: false,
    // Messages are read from the gateway payload and never re-read from a cache, so none are kept;
    // members and users are kept only for the bot itself (interactions carry their own member).
    // Guild, channel, role and overwrite caches are left whole: discord.js needs them intact.
    makeCache: Options.cacheWithLimits({
      MessageManager: 0,
      GuildMemberManager: { maxSize: 0, keepOverLimit: isSelf },
      UserManager: { maxSize: 0, keepOverLimit: isSelf },
      ThreadMemberManager: { maxSize: 0, keepOverLimit: isSelf },
      PresenceManager: 0,
      ReactionManager: 0,
      ReactionUserManager: 0,
      GuildEmojiManager: 0,
      BaseGuildEmojiManager: 0,
      ApplicationEmojiManager: 0,
      GuildStickerManager: 0,
      VoiceStateManager: 0,
      StageInstanceManager: 0,
      GuildInviteManager: 0,
      GuildScheduledEventManager: 0,
      GuildBanManager: 0,
      AutoModerationRuleManager: 0,
      ApplicationCommandManager: 0,
      EntitlementManager: 0,
    }),
    // Archived threads leave the cache after four hours (discord.js's default sweeper).
    sweepers: { ...Options.DefaultSweeperSettings },
    rest: restOptions(options.apiUrl),
    ...shardOptions(options.shards, options.shardIds),
  });
}

/**
 * The REST base, and a warning every 50 refused requests (401, 403, 429): Discord bans an IP for a
 * while past 10,000 of those in 10 minutes.
 */
function restOptions(apiUrl: string | undefined): Partial<RESTOptions> {
  return { invalidRequestWarningInterval: 50, ...(apiUrl === undefined ? {} : { api: restBase(apiUrl) }) };
}

/** A REST client without a gateway connection, for registering commands (`npm run deploy:discord`). */
export function createDiscordRest(options: { token: string; apiUrl?: string }): REST {
  return new REST(restOptions(options.apiUrl)).setToken(options.token);
}
